"""Submitting one energy transaction, and evaluating one, with the contract's refusals typed.

``timeout`` (seconds) bounds the whole call, retries and their waits included; None gives each
step the gateway's default deadline (``gridledger.gateway.Timeouts``) and retries by the
policy alone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from gridledger.energy.collections import MemberEndorsers
from gridledger.energy.errors import EnergyError, refusal_from
from gridledger.energy.transactions import Committed, domain_error, note_commit, should_retry
from gridledger.gateway import AsyncContract, CommitError, GatewayError
from gridledger.gateway.timeouts import Deadline
from gridledger.retry import DEFAULT_RETRY_POLICY, RetryPolicy

logger = logging.getLogger(__name__)


async def submit_transaction(
    contract: AsyncContract,
    function: str,
    args: list[str],
    *,
    transient: Mapping[str, bytes] | None = None,
    idempotent: bool = False,
    policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    timeout: float | None = None,
    endorsers: MemberEndorsers | None = None,
) -> Committed:
    """``endorsers``: the organisations to name (a household's transient data going only to
    its collection's members); None: the Gateway's choice."""
    deadline = Deadline(timeout)
    attempts = 0
    while True:
        attempts += 1
        try:
            if endorsers is None:
                proposal = contract.new_proposal(function, args=args, transient=transient)
            else:
                proposal = contract.new_proposal(
                    function,
                    args=args,
                    transient=transient,
                    endorsing_orgs=endorsers.orgs,
                    collections=endorsers.collections,
                )
            transaction = await proposal.endorse(deadline.left())
            submitted = await transaction.submit(deadline.left())
            status = await submitted.status(deadline.left())
            if not status.successful:
                raise CommitError(status.transaction_id, status.code)
            committed = Committed(status.transaction_id, transaction.result, status.block_number)
            return note_commit(committed)
        except GatewayError as error:
            refusal = refusal_from(error)
            if refusal is not None:
                raise refusal from error
            verdict = should_retry(error, attempts, idempotent=idempotent, policy=policy)
            if verdict is None or deadline.passed:
                raise
            logger.info("%s: attempt %d failed (%s); retrying", function, attempts, verdict.reason)
            delay, left = policy.delay(attempts), deadline.left()
            await asyncio.sleep(delay if left is None else min(delay, left))


async def evaluate_transaction(
    contract: AsyncContract,
    function: str,
    args: list[str],
    *,
    timeout: float | None = None,
    endorsing_orgs: Sequence[str] | None = None,
) -> bytes:
    """``endorsing_orgs``: the organisations whose peers may answer (None: the Gateway's
    choice)."""
    try:
        if endorsing_orgs is None:
            return await contract.evaluate(function, *args, timeout=timeout)
        return await contract.evaluate(
            function, *args, timeout=timeout, endorsing_orgs=endorsing_orgs
        )
    except EnergyError:
        raise
    except GatewayError as error:
        raise domain_error(error) from error
