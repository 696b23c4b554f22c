"""When to retry: exponential backoff with jitter, and the error raised when retries run out."""

from __future__ import annotations

import random
from dataclasses import dataclass

from gridledger.gateway.errors import GatewayError
from gridledger.retry.classify import Disposition, Verdict


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


def give_up(error: GatewayError, attempts: int, verdict: Verdict) -> GatewayError:
    if verdict.disposition is Disposition.REJECTED:
        return error
    return RetriesExhausted(attempts, error, verdict)
