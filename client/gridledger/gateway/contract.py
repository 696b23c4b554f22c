"""A smart contract in a chaincode: evaluate, submit, or build a proposal for the split flow.

What the asyncio class (``_async``) and its generated sync twin (``_sync``) share.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from gridledger.fabric.proposal import ChaincodeInvocation, as_bytes, qualified_function_name
from gridledger.gateway import requests
from gridledger.gateway.context import ClientContext
from gridledger.gateway.errors import CommitError, PrivateDataLeakError
from gridledger.gateway.status import Status

Argument = str | bytes
Transient = Mapping[str, bytes | str]
CollectionMembers = Mapping[str, Collection[str]]  # collection name -> member MSP ids


def check_transient_endorsers(
    transient: Transient | None,
    endorsing_orgs: Sequence[str] | None,
    collections: CollectionMembers | None,
) -> None:
    """Refuse (``PrivateDataLeakError``) transient data for named endorsing organisations that
    are not members of every collection the call writes; with no named organisations the
    Gateway plans only collection members (or answers FAILED_PRECONDITION)."""
    if not transient or not endorsing_orgs:
        return
    if collections is None:
        raise PrivateDataLeakError("", (), endorsing_orgs)
    for name in sorted(collections):
        outside = {org for org in endorsing_orgs if org not in collections[name]}
        if outside:
            raise PrivateDataLeakError(name, sorted(outside), endorsing_orgs)


class ContractBase:
    """A contract, either flavour: proposals for its functions, and the commit check."""

    def __init__(
        self, context: ClientContext, channel: str, chaincode_name: str, contract_name: str = ""
    ) -> None:
        self._context = context
        self._channel = channel
        self.chaincode_name = chaincode_name
        self.contract_name = contract_name

    @property
    def msp_id(self) -> str:
        """The MSP id of the identity the contract's proposals are signed as."""
        return str(self._context.signing.identity.msp_id)

    def _proposed(
        self,
        function: str,
        args: Sequence[Argument],
        transient: Transient | None,
        endorsing_orgs: Sequence[str] | None,
        collections: CollectionMembers | None = None,
    ) -> Any:
        check_transient_endorsers(transient, endorsing_orgs, collections)
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
