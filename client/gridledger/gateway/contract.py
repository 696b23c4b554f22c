"""A smart contract in a chaincode: evaluate, submit, or build a proposal for the split flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gridledger.fabric.proposal import ChaincodeInvocation, as_bytes, qualified_function_name
from gridledger.gateway import requests
from gridledger.gateway.commit import AsyncSubmittedTransaction, SubmittedTransaction
from gridledger.gateway.context import ClientContext
from gridledger.gateway.errors import CommitError
from gridledger.gateway.proposal import AsyncProposal, Proposal
from gridledger.gateway.status import Status
from gridledger.gateway.timeouts import Deadline
from gridledger.gateway.transport import AsyncTransport, Transport

Argument = str | bytes
Transient = Mapping[str, bytes | str]


class _ContractBase:
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


class Contract(_ContractBase):
    def __init__(
        self,
        transport: Transport,
        context: ClientContext,
        channel: str,
        chaincode_name: str,
        contract_name: str = "",
    ) -> None:
        super().__init__(context, channel, chaincode_name, contract_name)
        self._transport = transport

    def new_proposal(
        self,
        function: str,
        args: Sequence[Argument] = (),
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
    ) -> Proposal:
        proposed = self._proposed(function, args, transient, endorsing_orgs)
        return Proposal(self._transport, self._context, self._channel, proposed)

    def evaluate(
        self,
        function: str,
        *args: Argument,
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """Query: run on a peer, not ordered. Raises ``EvaluateError``."""
        proposal = self.new_proposal(function, args, transient, endorsing_orgs)
        return proposal.evaluate(timeout)

    def submit_async(
        self,
        function: str,
        *args: Argument,
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> SubmittedTransaction:
        """Endorse and submit; returns without waiting for the commit."""
        deadline = Deadline(timeout)
        timeouts = self._context.timeouts
        proposal = self.new_proposal(function, args, transient, endorsing_orgs)
        transaction = proposal.endorse(deadline.remaining(timeouts.endorse))
        return transaction.submit(deadline.remaining(timeouts.submit))

    def submit(
        self,
        function: str,
        *args: Argument,
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """Endorse, submit, wait for commit; returns the result. ``timeout`` bounds all three.

        Raises ``EndorseError``, ``SubmitError``, ``CommitStatusError``, or ``CommitError``
        when the transaction committed as invalid.
        """
        deadline = Deadline(timeout)
        timeouts = self._context.timeouts
        proposal = self.new_proposal(function, args, transient, endorsing_orgs)
        transaction = proposal.endorse(deadline.remaining(timeouts.endorse))
        submitted = transaction.submit(deadline.remaining(timeouts.submit))
        self._checked(submitted.status(deadline.remaining(timeouts.commit_status)))
        return submitted.result


class AsyncContract(_ContractBase):
    def __init__(
        self,
        transport: AsyncTransport,
        context: ClientContext,
        channel: str,
        chaincode_name: str,
        contract_name: str = "",
    ) -> None:
        super().__init__(context, channel, chaincode_name, contract_name)
        self._transport = transport

    def new_proposal(
        self,
        function: str,
        args: Sequence[Argument] = (),
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
    ) -> AsyncProposal:
        proposed = self._proposed(function, args, transient, endorsing_orgs)
        return AsyncProposal(self._transport, self._context, self._channel, proposed)

    async def evaluate(
        self,
        function: str,
        *args: Argument,
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        proposal = self.new_proposal(function, args, transient, endorsing_orgs)
        return await proposal.evaluate(timeout)

    async def submit_async(
        self,
        function: str,
        *args: Argument,
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> AsyncSubmittedTransaction:
        deadline = Deadline(timeout)
        timeouts = self._context.timeouts
        proposal = self.new_proposal(function, args, transient, endorsing_orgs)
        transaction = await proposal.endorse(deadline.remaining(timeouts.endorse))
        return await transaction.submit(deadline.remaining(timeouts.submit))

    async def submit(
        self,
        function: str,
        *args: Argument,
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        deadline = Deadline(timeout)
        timeouts = self._context.timeouts
        proposal = self.new_proposal(function, args, transient, endorsing_orgs)
        transaction = await proposal.endorse(deadline.remaining(timeouts.endorse))
        submitted = await transaction.submit(deadline.remaining(timeouts.submit))
        self._checked(await submitted.status(deadline.remaining(timeouts.commit_status)))
        return submitted.result
