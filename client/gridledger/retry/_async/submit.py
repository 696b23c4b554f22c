"""``contract.submit`` again as a new transaction after a retryable failure, with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from gridledger.gateway import (
    Argument,
    AsyncContract,
    CollectionMembers,
    GatewayError,
    Transient,
)
from gridledger.retry.classify import classify
from gridledger.retry.policy import DEFAULT_RETRY_POLICY, RetryPolicy, give_up

logger = logging.getLogger(__name__)


async def asubmit_with_retry(
    contract: AsyncContract,
    function: str,
    *args: Argument,
    transient: Transient | None = None,
    endorsing_orgs: Sequence[str] | None = None,
    collections: CollectionMembers | None = None,
    policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    timeout: float | None = None,
) -> bytes:
    """``contract.submit`` with retries; raises the rejection, or ``RetriesExhausted``.

    ``transient``, ``endorsing_orgs`` and ``collections`` go to every attempt, so each one
    passes the client's private-data guard: transient data with named endorsing organisations
    needs ``collections`` (name -> member MSP ids) naming them all as members, else
    ``PrivateDataLeakError`` before the first attempt sends anything (it is not retried).
    """
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
                collections=collections,
            )
        except GatewayError as error:
            verdict = classify(error)
            if not verdict.retryable or not policy.allows(attempts):
                raise give_up(error, attempts, verdict) from error
            wait = policy.delay(attempts)
            logger.info("%s: retry %d in %.2fs (%s)", function, attempts, wait, verdict.reason)
            await asyncio.sleep(wait)
