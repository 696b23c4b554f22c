"""Submitting one energy transaction: endorse, order, wait for the commit, retry when safe.

A transaction that failed validation with a read conflict, or could not reach a peer or the
orderer, never wrote anything: it is endorsed again as a new transaction (fresh reads). A
transaction whose fate is unknown (in doubt) is sent again only when the function is
idempotent (``SubmitReadings``). Contract refusals come back as ``EnergyError``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from gridledger.energy.errors import EnergyError, refusal_from
from gridledger.gateway import Contract
from gridledger.gateway.errors import CommitError, GatewayError
from gridledger.retry import DEFAULT_RETRY_POLICY, Disposition, RetryPolicy, classify

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Committed:
    transaction_id: str
    result: bytes
    block_number: int


def domain_error(error: GatewayError) -> GatewayError:
    """``error`` as the contract's refusal if it is one, else unchanged."""
    return refusal_from(error) or error


def submit_transaction(
    contract: Contract,
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
            transaction = proposal.endorse()
            submitted = transaction.submit()
            status = submitted.status()
            if not status.successful:
                raise CommitError(status.transaction_id, status.code)
            return Committed(status.transaction_id, transaction.result, status.block_number)
        except GatewayError as error:
            refusal = refusal_from(error)
            if refusal is not None:
                raise refusal from error
            verdict = classify(error)
            retry = verdict.retryable and (
                idempotent or verdict.disposition is not Disposition.IN_DOUBT
            )
            if not retry or not policy.allows(attempts):
                raise
            wait = policy.delay(attempts)
            logger.info("%s: attempt %d failed (%s); retrying", function, attempts, verdict.reason)
            time.sleep(wait)


def evaluate_transaction(contract: Contract, function: str, args: list[str]) -> bytes:
    try:
        return contract.evaluate(function, *args)
    except EnergyError:
        raise
    except GatewayError as error:
        raise domain_error(error) from error
