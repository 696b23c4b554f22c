"""Draining the outbox: submit every pending item, retry what can be retried, report the rest.

One attempt at an item: first look up every transaction of it still *in doubt* (sent, or maybe
sent, before a failure or a crash) — if one committed VALID the item is done; otherwise endorse
a new transaction (its id recorded as in doubt before it is sent), submit it, wait for its
commit status. Failures are classified by ``gridledger.retry.classify``:

- the network or the chaincode unreachable: retried without limit (backoff capped at
  ``policy.max_delay``) and, with a gateway factory, on a fresh connection;
- read conflicts, time-outs, in-doubt outcomes: retried up to ``policy.max_attempts`` strikes;
- a chaincode rejection, a refused request, an invalid commit other than a read conflict: given
  up at once. Every give-up is stored with its reason (``Outbox.failures()``), logged at WARNING,
  passed to ``on_give_up`` and listed in the ``DrainReport``.

Exactly once: an item is marked committed by the first VALID transaction found for it. If an
in-doubt transaction is not found within ``in_doubt_timeout`` it is treated as lost and the item
is endorsed again, so a transaction that commits later than that would apply the item twice:
**the chaincode function must be idempotent** (same request, same outcome, no second effect), as
the energy contract's ``SubmitReadings`` is (an identical resubmission is a no-op). Items run
concurrently on ``workers`` threads; use ``workers=1`` when their order matters.

Private data: every attempt goes through the client's guard with the item's ``collections``;
an item whose transient data would go to a named endorsing organisation outside them is given
up at once with ``PrivateDataLeakError``'s message as its reason, before anything is sent.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from gridledger.gateway import Gateway
from gridledger.gateway.errors import CommitError, GatewayError, PrivateDataLeakError
from gridledger.outbox.items import AttemptOutcome, GiveUp, ItemState, OutboxItem
from gridledger.outbox.lookup import find_commit
from gridledger.outbox.store import Outbox
from gridledger.retry import Disposition, RetryPolicy, Verdict, classify

logger = logging.getLogger(__name__)

GatewaySource = Gateway | Callable[[], Gateway]
OUTBOX_RETRY_POLICY = RetryPolicy(max_attempts=20, initial_delay=0.1, max_delay=5.0)


@dataclass(frozen=True)
class DrainReport:
    """What one drain pass (or a whole ``drain``) did, by item id."""

    committed: tuple[int, ...] = ()
    retrying: tuple[int, ...] = ()
    gave_up: tuple[GiveUp, ...] = ()

    def __add__(self, other: DrainReport) -> DrainReport:
        still = tuple(
            i
            for i in dict.fromkeys(self.retrying + other.retrying)
            if i not in other.committed and i not in {g.item_id for g in other.gave_up}
        )
        return DrainReport(self.committed + other.committed, still, self.gave_up + other.gave_up)


@dataclass
class _Result:
    item_id: int
    state: ItemState | None  # None: retrying
    give_up: GiveUp | None = None
    unavailable: bool = False


class OutboxDrainer:
    """Submits an ``Outbox``'s items through a gateway (or a factory that opens one)."""

    def __init__(
        self,
        outbox: Outbox,
        gateway: GatewaySource,
        *,
        policy: RetryPolicy = OUTBOX_RETRY_POLICY,
        workers: int = 8,
        batch_size: int = 256,
        in_doubt_timeout: float = 5.0,
        endorse_timeout: float | None = None,
        commit_timeout: float | None = None,
        on_give_up: Callable[[GiveUp], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.outbox = outbox
        self.policy = policy
        self.workers = workers
        self.batch_size = batch_size
        self.in_doubt_timeout = in_doubt_timeout
        self.endorse_timeout = endorse_timeout
        self.commit_timeout = commit_timeout
        self.on_give_up = on_give_up
        self._rng = rng or random.Random()
        if isinstance(gateway, Gateway):
            self._factory: Callable[[], Gateway] | None = None
            self._gateway: Gateway | None = gateway
        else:
            self._factory = gateway
            self._gateway = None
        self._gateway_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="outbox")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- public -------------------------------------------------------------------------------
    def drain_once(self) -> DrainReport:
        """Attempt every item that is due now, once; wait for those attempts to finish."""
        due = self.outbox.due(time.time(), self.batch_size)
        if not due:
            return DrainReport()
        try:
            gateway = self._current_gateway()
        except Exception as error:  # the factory could not connect: try again later
            logger.info("outbox: cannot open a gateway: %s", error)
            return DrainReport(retrying=tuple(item.id for item in due))
        futures = [self._executor.submit(self._process, gateway, item) for item in due]
        results = [future.result() for future in futures]
        if any(r.unavailable for r in results):
            self._drop_gateway(gateway)
        return DrainReport(
            committed=tuple(r.item_id for r in results if r.state is ItemState.COMMITTED),
            retrying=tuple(r.item_id for r in results if r.state is None),
            gave_up=tuple(r.give_up for r in results if r.give_up is not None),
        )

    def drain(self, timeout: float | None = None, poll: float = 0.05) -> DrainReport:
        """Drain until nothing is pending (or ``timeout`` seconds pass); the summed report."""
        deadline = None if timeout is None else time.monotonic() + timeout
        report = DrainReport()
        while True:
            report = report + self.drain_once()
            next_due = self.outbox.next_due_at()
            if next_due is None:
                return report
            if deadline is not None and time.monotonic() >= deadline:
                return report
            wait = min(max(next_due - time.time(), 0.0), 1.0)
            if deadline is not None:
                wait = min(wait, max(deadline - time.monotonic(), 0.0))
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()

    async def drain_async(self, timeout: float | None = None) -> DrainReport:
        """``drain`` on a worker thread, for asyncio callers."""
        return await asyncio.to_thread(self.drain, timeout)

    def start(self, poll: float = 0.2) -> None:
        """Drain in a background thread until ``stop()``; ``wake()`` after enqueuing."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(poll,), name="outbox-drainer", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def close(self) -> None:
        """Stop, and close a gateway this drainer opened itself."""
        self.stop()
        self._executor.shutdown(wait=True)
        if self._factory is not None and self._gateway is not None:
            self._gateway.close()
            self._gateway = None

    def __enter__(self) -> OutboxDrainer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------
    def _run(self, poll: float) -> None:
        while not self._stop.is_set():
            try:
                self.drain_once()
            except Exception:  # keep draining: the next pass retries
                logger.exception("outbox drain pass failed")
            next_due = self.outbox.next_due_at()
            wait = poll if next_due is None else min(max(next_due - time.time(), 0.0), poll)
            if wait > 0:
                self._wake.wait(wait)
            self._wake.clear()

    def _current_gateway(self) -> Gateway:
        with self._gateway_lock:
            if self._gateway is None:
                assert self._factory is not None
                self._gateway = self._factory()
            return self._gateway

    def _drop_gateway(self, gateway: Gateway) -> None:
        """After unavailability, reconnect next time (only for gateways we open ourselves)."""
        if self._factory is None:
            return
        with self._gateway_lock:
            if self._gateway is gateway:
                self._gateway = None
        try:
            gateway.close()
        except Exception:
            logger.debug("closing a gateway failed", exc_info=True)

    def _process(self, gateway: Gateway, item: OutboxItem) -> _Result:
        try:
            return self._attempt(gateway, item)
        except Exception as error:  # never lose an item to a bug: leave it pending, report
            logger.exception("outbox item %d: attempt failed unexpectedly", item.id)
            verdict = Verdict(Disposition.TRANSIENT, f"{type(error).__name__}: {error}")
            return self._after_failure(item, verdict, "")

    def _attempt(self, gateway: Gateway, item: OutboxItem) -> _Result:
        request = item.request
        outbox = self.outbox
        for transaction_id in outbox.in_doubt(item.id):
            try:
                status = find_commit(
                    gateway, request.channel, transaction_id, self.in_doubt_timeout
                )
            except GatewayError as error:
                verdict = classify(error)
                if verdict.disposition is not Disposition.REJECTED:
                    verdict = Verdict(Disposition.UNAVAILABLE, verdict.reason)
                return self._after_failure(item, verdict, transaction_id)
            if status is None:
                outbox.settle_attempt(item.id, transaction_id, AttemptOutcome.LOST)
            elif status.successful:
                outbox.mark_committed(item.id, transaction_id, status.block_number, None)
                return _Result(item.id, ItemState.COMMITTED)
            else:
                outbox.settle_attempt(
                    item.id, transaction_id, AttemptOutcome.INVALID, status.code_name
                )
        contract = gateway.network(request.channel).contract(request.chaincode, request.contract)
        if request.transient_erased:  # finished once, put back without its transient data
            return self._give_up(item, "its transient data was erased; enqueue it again", "")
        try:
            proposal = contract.new_proposal(
                request.function,
                args=list(request.args),
                transient=dict(request.transient) or None,
                endorsing_orgs=list(request.endorsing_orgs) or None,
                collections=request.collections,
            )
        except PrivateDataLeakError as error:  # nothing was sent: give up, never send it
            return self._give_up(item, str(error), "")
        transaction_id = proposal.transaction_id
        outbox.begin_attempt(item.id, transaction_id)
        try:
            transaction = proposal.endorse(self.endorse_timeout)
        except GatewayError as error:
            verdict = classify(error)
            outbox.settle_attempt(item.id, transaction_id, AttemptOutcome.FAILED, verdict.reason)
            return self._after_failure(item, verdict, transaction_id)
        try:
            submitted = transaction.submit()
            status = submitted.status(self.commit_timeout)
        except GatewayError as error:
            verdict = classify(error)
            if verdict.disposition in (Disposition.UNAVAILABLE, Disposition.REJECTED):
                outbox.settle_attempt(
                    item.id, transaction_id, AttemptOutcome.FAILED, verdict.reason
                )
            return self._after_failure(item, verdict, transaction_id)
        if status.successful:
            outbox.mark_committed(item.id, transaction_id, status.block_number, transaction.result)
            return _Result(item.id, ItemState.COMMITTED)
        outbox.settle_attempt(item.id, transaction_id, AttemptOutcome.INVALID, status.code_name)
        return self._after_failure(item, classify(CommitError(transaction_id, status.code)), "")

    def _after_failure(self, item: OutboxItem, verdict: Verdict, transaction_id: str) -> _Result:
        unavailable = verdict.disposition is Disposition.UNAVAILABLE
        strikes = item.strikes + (0 if unavailable else 1)
        if verdict.disposition is Disposition.REJECTED:
            return self._give_up(item, verdict.reason, transaction_id)
        if not unavailable and not self.policy.allows(strikes):
            return self._give_up(
                item,
                f"retries exhausted after {strikes} failures: {verdict.reason}",
                transaction_id,
            )
        retry = max(item.attempts, 1)
        delay = self.policy.delay(retry, self._rng)
        self.outbox.reschedule(item.id, time.time() + delay, verdict.reason, strike=not unavailable)
        logger.debug("outbox item %d: retry in %.2fs (%s)", item.id, delay, verdict.reason)
        return _Result(item.id, None, unavailable=unavailable)

    def _give_up(self, item: OutboxItem, reason: str, transaction_id: str) -> _Result:
        self.outbox.mark_failed(item.id, reason, transaction_id)
        report = GiveUp(
            item_id=item.id,
            idempotency_key=item.idempotency_key,
            function=item.request.qualified_function,
            reason=reason,
            attempts=self.outbox.get(item.id).attempts,
            transaction_id=transaction_id,
            at=time.time(),
        )
        logger.warning("%s", report)
        if self.on_give_up is not None:
            try:
                self.on_give_up(report)
            except Exception:
                logger.exception("on_give_up callback failed")
        return _Result(item.id, ItemState.FAILED, give_up=report)
