"""A smart contract in a chaincode: evaluate, submit, or build a proposal for the split flow.

What the asyncio class (``_async``) and its generated sync twin (``_sync``) share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gridledger.fabric.proposal import ChaincodeInvocation, as_bytes, qualified_function_name
from gridledger.gateway import requests
from gridledger.gateway.context import ClientContext
from gridledger.gateway.errors import CommitError
from gridledger.gateway.status import Status

Argument = str | bytes
Transient = Mapping[str, bytes | str]


class ContractBase:
    """A contract, either flavour: proposals for its functions, and the commit check."""

    def __init__(
        self, context: ClientContext, channel: str, chaincode_name: str, contract_name: str = ""
    ) -> None:
        self._context = context
        self._channel = channel
        self.chaincode_name = chaincode_name
        self.contract_name = contract_name

    def _proposed(
        self,
        function: str,
        args: Sequence[Argument],
        transient: Transient | None,
        endorsing_orgs: Sequence[str] | None,
    ) -> Any:
        invocation = ChaincodeInvocation(
            channel=self._channel,
            chaincode=self.chaincode_name,
            function=qualified_function_name(self.contract_name, function),
            args=[as_bytes(arg) for arg in args],
            transient=requests.transient_map(transient),
        )
        return requests.proposed_transaction(
            self._context.signing, invocation, list(endorsing_orgs or ())
        )

    @staticmethod
    def _checked(status: Status) -> None:
        if not status.successful:
            raise CommitError(status.transaction_id, status.code)
