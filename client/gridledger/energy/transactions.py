"""Submitting one energy transaction: endorse, order, wait for the commit, retry when safe.

What ``_async.transactions`` and the ``_sync`` one generated from it share.

A transaction that failed validation with a read conflict, or could not reach a peer or the
orderer, never wrote anything: it is endorsed again as a new transaction (fresh reads). A
transaction whose fate is unknown (in doubt) is sent again only when the function is
idempotent (``SubmitReadings``). Contract refusals come back as ``EnergyError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from gridledger.energy.errors import refusal_from
from gridledger.gateway.errors import GatewayError
from gridledger.retry import Disposition, RetryPolicy, Verdict, classify


@dataclass(frozen=True, slots=True)
class Committed:
    transaction_id: str
    result: bytes
    block_number: int


_COMMITS: ContextVar[list[Committed] | None] = ContextVar("gridledger_commits", default=None)


@contextmanager
def recording_commits() -> Iterator[list[Committed]]:
    """Collect every transaction the energy API commits inside the ``with`` block (in this
    context: the current thread or asyncio task, and the tasks it starts), e.g. to log the
    ledger transaction ids of a request::

        with recording_commits() as commits:
            client.buy(offer_id, 500)
        print([c.transaction_id for c in commits])
    """
    commits: list[Committed] = []
    token = _COMMITS.set(commits)
    try:
        yield commits
    finally:
        _COMMITS.reset(token)


def note_commit(committed: Committed) -> Committed:
    """Add ``committed`` to the current ``recording_commits`` list, if any; return it."""
    commits = _COMMITS.get()
    if commits is not None:
        commits.append(committed)
    return committed


def domain_error(error: GatewayError) -> GatewayError:
    """``error`` as the contract's refusal if it is one, else unchanged."""
    return refusal_from(error) or error


def should_retry(
    error: GatewayError, attempts: int, *, idempotent: bool, policy: RetryPolicy
) -> Verdict | None:
    """The verdict on ``error`` if the transaction is to be sent again, else None (after
    ``attempts`` tries; an in-doubt one only when ``idempotent``)."""
    verdict = classify(error)
    retry = verdict.retryable and (idempotent or verdict.disposition is not Disposition.IN_DOUBT)
    return verdict if retry and policy.allows(attempts) else None
