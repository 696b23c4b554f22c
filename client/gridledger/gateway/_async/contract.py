"""A smart contract in a chaincode: evaluate, submit, or build a proposal for the split flow."""

from __future__ import annotations

from collections.abc import Sequence

from gridledger.gateway._async.commit import AsyncSubmittedTransaction
from gridledger.gateway._async.proposal import AsyncProposal
from gridledger.gateway.context import ClientContext
from gridledger.gateway.contract import Argument, CollectionMembers, ContractBase, Transient
from gridledger.gateway.timeouts import Deadline
from gridledger.gateway.transport import AsyncTransport


class AsyncContract(ContractBase):
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
        collections: CollectionMembers | None = None,
    ) -> AsyncProposal:
        """``collections`` (name -> member MSP ids): the private data collections the call
        writes; needed with transient data and named ``endorsing_orgs``, which must all be
        members (else ``PrivateDataLeakError``, nothing sent)."""
        proposed = self._proposed(function, args, transient, endorsing_orgs, collections)
        return AsyncProposal(self._transport, self._context, self._channel, proposed)

    async def evaluate(
        self,
        function: str,
        *args: Argument,
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
        timeout: float | None = None,
        collections: CollectionMembers | None = None,
    ) -> bytes:
        """Query: run on a peer, not ordered. Raises ``EvaluateError``."""
        proposal = self.new_proposal(function, args, transient, endorsing_orgs, collections)
        return await proposal.evaluate(timeout)

    async def submit_async(
        self,
        function: str,
        *args: Argument,
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
        timeout: float | None = None,
        collections: CollectionMembers | None = None,
    ) -> AsyncSubmittedTransaction:
        """Endorse and submit; returns without waiting for the commit."""
        deadline = Deadline(timeout)
        timeouts = self._context.timeouts
        proposal = self.new_proposal(function, args, transient, endorsing_orgs, collections)
        transaction = await proposal.endorse(deadline.remaining(timeouts.endorse))
        return await transaction.submit(deadline.remaining(timeouts.submit))

    async def submit(
        self,
        function: str,
        *args: Argument,
        transient: Transient | None = None,
        endorsing_orgs: Sequence[str] | None = None,
        timeout: float | None = None,
        collections: CollectionMembers | None = None,
    ) -> bytes:
        """Endorse, submit, wait for commit; returns the result. ``timeout`` bounds all three.

        Raises ``EndorseError``, ``SubmitError``, ``CommitStatusError``, or ``CommitError``
        when the transaction committed as invalid.
        """
        deadline = Deadline(timeout)
        timeouts = self._context.timeouts
        proposal = self.new_proposal(function, args, transient, endorsing_orgs, collections)
        transaction = await proposal.endorse(deadline.remaining(timeouts.endorse))
        submitted = await transaction.submit(deadline.remaining(timeouts.submit))
        self._checked(await submitted.status(deadline.remaining(timeouts.commit_status)))
        return submitted.result
