"""``contract.submit`` again as a new transaction after a retryable failure, with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from gridledger.gateway import Argument, AsyncContract, GatewayError, Transient
from gridledger.retry.classify import classify
from gridledger.retry.policy import DEFAULT_RETRY_POLICY, RetryPolicy, give_up

logger = logging.getLogger(__name__)


async def asubmit_with_retry(
    contract: AsyncContract,
    function: str,
    *args: Argument,
    transient: Transient | None = None,
    endorsing_orgs: Sequence[str] | None = None,
    policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    timeout: float | None = None,
) -> bytes:
    """``contract.submit`` with retries; raises the rejection, or ``RetriesExhausted``."""
    attempts = 0
    while True:
        attempts += 1
        try:
            return await contract.submit(
                function,
                *args,
                transient=transient,
                endorsing_orgs=endorsing_orgs,
                timeout=timeout,
            )
        except GatewayError as error:
            verdict = classify(error)
            if not verdict.retryable or not policy.allows(attempts):
                raise give_up(error, attempts, verdict) from error
            wait = policy.delay(attempts)
            logger.info("%s: retry %d in %.2fs (%s)", function, attempts, wait, verdict.reason)
            await asyncio.sleep(wait)
