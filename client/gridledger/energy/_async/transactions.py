"""Submitting one energy transaction, and evaluating one, with the contract's refusals typed."""

from __future__ import annotations

import asyncio
import logging

from gridledger.energy.errors import EnergyError, refusal_from
from gridledger.energy.transactions import Committed, domain_error, should_retry
from gridledger.gateway import AsyncContract, CommitError, GatewayError
from gridledger.retry import DEFAULT_RETRY_POLICY, RetryPolicy

logger = logging.getLogger(__name__)


async def submit_transaction(
    contract: AsyncContract,
    function: str,
    args: list[str],
    *,
    idempotent: bool = False,
    policy: RetryPolicy = DEFAULT_RETRY_POLICY,
) -> Committed:
    attempts = 0
    while True:
        attempts += 1
        try:
            proposal = contract.new_proposal(function, args=args)
            transaction = await proposal.endorse()
            submitted = await transaction.submit()
            status = await submitted.status()
            if not status.successful:
                raise CommitError(status.transaction_id, status.code)
            return Committed(status.transaction_id, transaction.result, status.block_number)
        except GatewayError as error:
            refusal = refusal_from(error)
            if refusal is not None:
                raise refusal from error
            verdict = should_retry(error, attempts, idempotent=idempotent, policy=policy)
            if verdict is None:
                raise
            logger.info("%s: attempt %d failed (%s); retrying", function, attempts, verdict.reason)
            await asyncio.sleep(policy.delay(attempts))


async def evaluate_transaction(contract: AsyncContract, function: str, args: list[str]) -> bytes:
    try:
        return await contract.evaluate(function, *args)
    except EnergyError:
        raise
    except GatewayError as error:
        raise domain_error(error) from error
