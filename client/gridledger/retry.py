"""Which failed submissions to retry, and when: classification, backoff with jitter, a helper.

``classify(error)`` turns a Gateway error into a ``Verdict``:

- ``CONFLICT``: the transaction committed as ``MVCC_READ_CONFLICT`` / ``PHANTOM_READ_CONFLICT``;
  endorse it again as a new transaction (fresh reads).
- ``UNAVAILABLE``: no peer, chaincode or orderer could be reached (gRPC ``UNAVAILABLE``, the
  chaincode's stream is down, the orderer answered ``SERVICE_UNAVAILABLE``, discovery finds too
  few live peers to satisfy the endorsement policy); nothing was ordered.
- ``TRANSIENT``: the network answered but could not finish (a deadline passed, the chaincode
  timed out, endorsers disagreed); nothing was ordered.
- ``IN_DOUBT``: the transaction may have been ordered (submit or commit status failed midway);
  look its id up before endorsing it again.
- ``REJECTED``: the chaincode refused it, or the network refused the request itself (bad
  identity, invalid argument, committed invalid for any reason but a read conflict). Never retried.

``submit_with_retry(contract, "Fn", *args)`` (and ``submit_with_retry_async``) endorse, submit
and wait for commit, endorsing again as a new transaction after a retryable failure, with
exponential backoff and jitter. Retrying an in-doubt transaction may commit it twice: use it for
idempotent functions (e.g. ``SubmitReadings``), or use ``gridledger.outbox``, which looks up
in-doubt transaction ids before trying again.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from gridledger.gateway.contract import Argument, AsyncContract, Contract, Transient
from gridledger.gateway.errors import (
    CommitError,
    CommitStatusError,
    EndorseError,
    EvaluateError,
    GatewayError,
    SubmitError,
)

logger = logging.getLogger(__name__)

RETRYABLE_VALIDATION_CODES = frozenset({"MVCC_READ_CONFLICT", "PHANTOM_READ_CONFLICT"})
UNREACHABLE_CODES = frozenset({"UNAVAILABLE"})
TRANSIENT_CODES = frozenset({"DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "CANCELLED"})
# What Fabric's gateway (and the devnet) put in error details: a chaincode's own error response
# (never retried), a peer or chaincode that cannot be reached, or a run that could not finish.
CHAINCODE_REJECTION_MARKERS = ("chaincode response ", "transaction returned with failure")
CHAINCODE_UNREACHABLE_MARKERS = (
    "is not reachable",
    "chaincode stream terminated",
    "could not launch chaincode",
)
# Fabric's gateway could not reach an endorsing peer (its error detail for that endorser): the
# peer is down, or the gateway was closing its connection to it when the call was made.
ENDORSER_UNREACHABLE_MARKERS = (
    "code = Unavailable",
    "the client connection is closing",
    "connection refused",
)
CHAINCODE_TRANSIENT_MARKERS = (
    "failed to execute transaction",
    "timeout expired",
    "ProposalResponsePayloads do not match",
    "code = DeadlineExceeded",
)
ORDERER_UNAVAILABLE_MARKERS = ("SERVICE_UNAVAILABLE", "no orderers could successfully process")
# Fabric's gateway (FAILED_PRECONDITION) when discovery finds too few live peers for the policy:
# another org's peer is down or not yet known through gossip. An unknown chaincode or channel
# ("No metadata was found for chaincode ...") has the same prefix and stays a refusal.
ENDORSERS_UNAVAILABLE_MARKERS = (
    "no peer combination can satisfy the endorsement policy",
    "due to unavailability of peers",
)


class Disposition(enum.Enum):
    CONFLICT = "conflict"
    UNAVAILABLE = "unavailable"
    TRANSIENT = "transient"
    IN_DOUBT = "in_doubt"
    REJECTED = "rejected"

    @property
    def retryable(self) -> bool:
        return self is not Disposition.REJECTED


@dataclass(frozen=True)
class Verdict:
    """What to do after ``error``; ``reason`` is one line fit for a log or a report."""

    disposition: Disposition
    reason: str

    @property
    def retryable(self) -> bool:
        return self.disposition.retryable


def _messages(error: GatewayError) -> list[str]:
    return [error.message, *(detail.message for detail in error.details)]


def _mentions(texts: Sequence[str], markers: Sequence[str]) -> bool:
    return any(marker in text for text in texts for marker in markers)


def _endorse_verdict(error: GatewayError) -> Verdict:
    texts = _messages(error)
    code = error.grpc_code_name
    detail = "; ".join(d.message for d in error.details) or error.message
    if _mentions([d.message for d in error.details], CHAINCODE_REJECTION_MARKERS):
        return Verdict(Disposition.REJECTED, f"chaincode rejected the transaction: {detail}")
    if _mentions(texts, CHAINCODE_UNREACHABLE_MARKERS):
        return Verdict(Disposition.UNAVAILABLE, f"chaincode unavailable: {detail}")
    if _mentions(texts, ENDORSER_UNREACHABLE_MARKERS):
        return Verdict(Disposition.UNAVAILABLE, f"endorser unreachable: {detail}")
    if _mentions(texts, ENDORSERS_UNAVAILABLE_MARKERS):
        return Verdict(Disposition.UNAVAILABLE, f"too few endorsing peers reachable: {detail}")
    if code in UNREACHABLE_CODES:
        return Verdict(Disposition.UNAVAILABLE, f"{error.step} unavailable: {detail}")
    if _mentions(texts, CHAINCODE_TRANSIENT_MARKERS) or code in TRANSIENT_CODES:
        return Verdict(Disposition.TRANSIENT, f"{error.step} failed ({code}): {detail}")
    # anything else (access denied, invalid proposal, no policy satisfiable...) is a refusal
    return Verdict(Disposition.REJECTED, f"{error.step} refused ({code or 'no code'}): {detail}")


def _submit_verdict(error: SubmitError) -> Verdict:
    code = error.grpc_code_name
    texts = _messages(error)
    if code == "UNAVAILABLE" and _mentions(texts, ORDERER_UNAVAILABLE_MARKERS):
        detail = "; ".join(d.message for d in error.details) or error.message
        return Verdict(Disposition.UNAVAILABLE, f"orderer unavailable: {detail}")
    if code in UNREACHABLE_CODES or code in TRANSIENT_CODES or not code:
        return Verdict(Disposition.IN_DOUBT, f"submit outcome unknown ({code}): {error.message}")
    return Verdict(Disposition.REJECTED, f"orderer refused the transaction ({code}): {error}")


def classify(error: BaseException) -> Verdict:
    """How to treat ``error`` raised while evaluating, endorsing, submitting or committing."""
    if isinstance(error, CommitError):
        if error.code_name in RETRYABLE_VALIDATION_CODES:
            return Verdict(Disposition.CONFLICT, f"committed as {error.code_name}")
        return Verdict(Disposition.REJECTED, f"committed invalid: {error.code_name}")
    if isinstance(error, (EndorseError, EvaluateError)):
        return _endorse_verdict(error)
    if isinstance(error, SubmitError):
        return _submit_verdict(error)
    if isinstance(error, CommitStatusError):
        if error.grpc_code_name in ("PERMISSION_DENIED", "INVALID_ARGUMENT"):
            return Verdict(Disposition.REJECTED, f"commit status refused: {error.message}")
        return Verdict(
            Disposition.IN_DOUBT,
            f"commit status unknown ({error.grpc_code_name}): {error.message}",
        )
    if isinstance(error, GatewayError):
        return Verdict(Disposition.REJECTED, str(error))
    return Verdict(Disposition.REJECTED, f"{type(error).__name__}: {error}")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter. ``max_attempts`` None: retry without a bound.

    The n-th retry (n from 1) waits ``min(max_delay, initial_delay * multiplier**(n-1))``,
    of which the fraction ``jitter`` is random (0: fixed delays, 1: full jitter).
    """

    max_attempts: int | None = 6
    initial_delay: float = 0.1
    max_delay: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1 (or None)")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")
        if self.initial_delay < 0 or self.max_delay < 0 or self.multiplier < 1:
            raise ValueError("delays must be >= 0 and multiplier >= 1")

    def delay(self, retry: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        exponent = max(retry - 1, 0)
        base = min(self.max_delay, self.initial_delay * self.multiplier ** min(exponent, 64))
        fixed = base * (1.0 - self.jitter)
        return fixed + (rng or random).uniform(0.0, base - fixed)

    def allows(self, attempts: int) -> bool:
        """Whether another attempt may follow ``attempts`` attempts made so far."""
        return self.max_attempts is None or attempts < self.max_attempts


DEFAULT_RETRY_POLICY = RetryPolicy()


class RetriesExhausted(GatewayError):
    """Every attempt failed with a retryable error; ``last`` is the last one."""

    step = "retry"

    def __init__(self, attempts: int, last: GatewayError, verdict: Verdict) -> None:
        super().__init__(
            f"gave up after {attempts} attempts: {verdict.reason}",
            transaction_id=last.transaction_id,
            grpc_code=last.grpc_code,
            details=last.details,
        )
        self.attempts = attempts
        self.last = last
        self.verdict = verdict


def _give_up(error: GatewayError, attempts: int, verdict: Verdict) -> GatewayError:
    if verdict.disposition is Disposition.REJECTED:
        return error
    return RetriesExhausted(attempts, error, verdict)


def submit_with_retry(
    contract: Contract,
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
            return contract.submit(
                function,
                *args,
                transient=transient,
                endorsing_orgs=endorsing_orgs,
                timeout=timeout,
            )
        except GatewayError as error:
            verdict = classify(error)
            if not verdict.retryable or not policy.allows(attempts):
                raise _give_up(error, attempts, verdict) from error
            wait = policy.delay(attempts)
            logger.info("%s: retry %d in %.2fs (%s)", function, attempts, wait, verdict.reason)
            time.sleep(wait)


async def submit_with_retry_async(
    contract: AsyncContract,
    function: str,
    *args: Argument,
    transient: Transient | None = None,
    endorsing_orgs: Sequence[str] | None = None,
    policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    timeout: float | None = None,
) -> bytes:
    """The asyncio twin of ``submit_with_retry``."""
    attempts = 0
    while True:
        attempts += 1
        try:
            result: bytes = await contract.submit(
                function,
                *args,
                transient=transient,
                endorsing_orgs=endorsing_orgs,
                timeout=timeout,
            )
            return result
        except GatewayError as error:
            verdict = classify(error)
            if not verdict.retryable or not policy.allows(attempts):
                raise _give_up(error, attempts, verdict) from error
            wait = policy.delay(attempts)
            logger.info("%s: retry %d in %.2fs (%s)", function, attempts, wait, verdict.reason)
            await asyncio.sleep(wait)


__all__ = [
    "DEFAULT_RETRY_POLICY",
    "Disposition",
    "RetriesExhausted",
    "RetryPolicy",
    "Verdict",
    "classify",
    "submit_with_retry",
    "submit_with_retry_async",
]
