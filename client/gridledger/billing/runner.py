"""The billing runner: closes each billed participant's ended days as their data completes,
revises days whose estimates got actual readings, and issues period bills on the tariff's cycle.

Everything it does is derived from the ledger, so a pass can be repeated, or cut short by a
kill and started again, without a bill twice or one skipped:

- where a participant stands, asked of the contract each pass (``ClosingProgress`` over the
  last ``lookback_days``, 100 participants per query: its first open day and first closed one);
  a participant with no closed day starts on ``since``, else on the first whole UTC day its
  meters reported;
- days close earliest first, up to 100 participants per ``CloseDays``, several days sent
  together (days close in any order); a day missing readings waits (and is named) until its
  grace period has passed, then closes with estimates, and its participant's later days are
  not billed before it closes;
- a period is billed once all its days are closed (``Settle`` of a period billed before
  returns the stored bill); billing resumes at the end of the
  participant's last bill (from the local state once ``GetBill`` confirms it, else from its
  bills), else on its first closed day.

Transactions go through the durable outbox (``OutboxTransactions``); queries straight through
the ``EnergyClient``.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gridledger.billing.calendar import (
    DEFAULT_GRACE,
    batches,
    day_text,
    due_periods,
    last_ended_day,
    may_estimate,
    organisation_batches,
)
from gridledger.billing.report import PassSummary, Reporter
from gridledger.billing.state import RunnerState
from gridledger.billing.transactions import OutboxTransactions
from gridledger.energy import DayClosing, DayRevision, DayStatus, EnergyClient, NotFound, Tariff
from gridledger.energy.answers import parse_json, read
from gridledger_domain import format_utc
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS, day_of
from gridledger_domain.vocabulary import BILLED_ROLES, BillingCycle

READ_WINDOW_DAYS = 31  # the contract's longest readings query
ROUND_DAYS = 8  # days whose closings are sent together


@dataclass(frozen=True)
class RunnerOptions:
    grace: int = DEFAULT_GRACE  # seconds after a day's end before estimating
    since: int | None = None  # first day for participants with no closed day
    lookback_days: int = 366  # how far back to look for a new participant's first reading
    until: int | None = None  # close only the days before this one (default: every ended day)


@dataclass
class BillingRunner:
    """One pass at a time (``run_pass``); the service loop is the CLI's."""

    client: EnergyClient
    tx: OutboxTransactions
    state: RunnerState
    report: Reporter
    options: RunnerOptions = field(default_factory=RunnerOptions)
    clock: Callable[[], float] = time.time
    _tariffs: list[Tariff] = field(default_factory=list)
    _billed_until: dict[str, int] = field(default_factory=dict)  # confirmed this pass
    _first_closed: dict[str, int] = field(default_factory=dict)  # in the lookback window

    # -- a pass ---------------------------------------------------------------------------------
    def run_pass(self) -> PassSummary:
        summary = PassSummary()
        now = int(self.clock())
        last = last_ended_day(now)
        if self.options.until is not None:
            last = min(last, self.options.until - DAY_SECONDS)
        recovered = self.tx.recover()
        if recovered:
            self.report.detail(f"outbox: {recovered} item(s) left by an earlier run drained")
        self._tariffs = sorted(self.client.tariffs().all(), key=lambda t: t.effective_from)
        self._billed_until.clear()
        self._first_closed.clear()
        self._revise(summary)
        billed = [p.participant_id for p in self.client.participants() if p.role in BILLED_ROLES]
        fronts = self._fronts(billed, last)
        self._close(fronts, last, now, summary)
        catch_up = self._issue_bills(fronts, fronts, summary)  # periods whose days closed before
        if catch_up:
            self.report.echo(f"bills issued {catch_up} for periods closed earlier")
        self.state.save()
        return summary

    # -- where each participant stands ----------------------------------------------------------
    def _fronts(self, participants: list[str], last: int) -> dict[str, int]:
        """Each participant's first open day, as the contract tells (``ClosingProgress`` over
        the ``lookback_days`` before ``last``)."""
        fronts: dict[str, int] = {}
        first = last - (self.options.lookback_days - 1) * DAY_SECONDS
        for group in batches(participants):
            for progress in self.client.closing_progress(group, first, last):
                pid = progress.participant
                if progress.first_closed is None:
                    self._start(pid, last, fronts)
                    continue
                fronts[pid] = (
                    progress.first_open if progress.first_open is not None else last + DAY_SECONDS
                )
                self._first_closed[pid] = progress.first_closed
        return fronts

    def _start(self, pid: str, last: int, fronts: dict[str, int]) -> None:
        """A participant with no closed day: ``since``, else its first whole reported day."""
        start = self.options.since
        if start is None:
            start = self._first_reported_day(pid, last)
            if start is None:
                self.report.detail(
                    f"{pid}: no readings in the last {self.options.lookback_days} days, "
                    "nothing to close yet"
                )
                return
        fronts[pid] = start
        self._billed_until[pid] = start
        self.report.detail(f"{pid}: no closed day yet, starting on {day_text(start)}")

    def _first_reported_day(self, pid: str, last: int) -> int | None:
        """The first UTC day from whose midnight one of ``pid``'s meters reported (a reading
        later than midnight leaves that day incomplete: billing starts the next day)."""
        horizon = last - self.options.lookback_days * DAY_SECONDS
        earliest: int | None = None
        for meter in self.client.meters(pid):
            start = horizon
            while start <= last and (earliest is None or start < earliest):
                end = min(start + READ_WINDOW_DAYS * DAY_SECONDS - INTERVAL_SECONDS, last)
                found = self.client.readings(meter.meter_id, start, end, limit=1, page_size=1).all()
                if found:
                    at = found[0].reading.interval_start
                    day = at if at == day_of(at) else day_of(at) + DAY_SECONDS
                    earliest = day if earliest is None else min(earliest, day)
                    break
                start += READ_WINDOW_DAYS * DAY_SECONDS
        return earliest

    # -- closing days ---------------------------------------------------------------------------
    def _close(self, fronts: dict[str, int], last: int, now: int, summary: PassSummary) -> None:
        """Close the open days, earliest first, ``ROUND_DAYS`` days per round sent together
        (days close in any order, so they are closed concurrently); a participant stops at a
        day that waits for readings."""
        blocked: set[str] = set()
        while True:
            open_days = {p: d for p, d in fronts.items() if p not in blocked and d <= last}
            if not open_days:
                return
            first = min(open_days.values())
            # a batch (up to 100 participants) is sent as one CloseDays per organisation in it
            # (each reads its participants' private meter data) and reported as one line
            plan: list[tuple[int, int, list[str], bool]] = []
            for day in range(first, min(first + ROUND_DAYS * DAY_SECONDS, last + 1), DAY_SECONDS):
                estimate = may_estimate(day, now, self.options.grace)
                due = sorted(p for p, d in open_days.items() if d <= day)
                for number, batch in enumerate(batches(due), 1):
                    plan.extend(
                        (day, number, group, estimate) for group in organisation_batches(batch)
                    )
            outcomes = self.tx.send(
                [
                    ("CloseDays", (format_utc(day), json.dumps(group), "true" if est else "false"))
                    for day, _, group, est in plan
                ]
            )
            batches_of = Counter[int]()
            parts_left = Counter((day, number) for day, number, _, _ in plan)
            for day, number, _, _ in plan:
                batches_of[day] = max(batches_of[day], number)
            totals: dict[tuple[int, int], list[int]] = {}
            for (day, number, group, _), outcome in zip(plan, outcomes, strict=True):
                closed, waiting, estimated = 0, 0, 0
                advanced: list[str] = []
                if not outcome.committed:
                    self.report.failure(summary, f"CloseDays {day_text(day)}: {outcome.error}")
                    blocked.update(group)
                elif outcome.result is None:
                    self.report.detail(f"{day_text(day)}: answer not known, asked again next pass")
                    blocked.update(group)
                else:
                    closing = read(DayClosing.from_json_dict, parse_json(outcome.result), "day")
                    closed, waiting, advanced = self._closed(closing, fronts, blocked, summary)
                    estimated = sum(1 for r in closing.results if r.estimated and r.status.done)
                bills = self._issue_bills(fronts, advanced, summary)
                summary.closed += closed
                summary.waiting += waiting
                total = totals.setdefault((day, number), [0, 0, 0, 0])
                for index, value in enumerate((closed, waiting, bills, estimated)):
                    total[index] += value
                parts_left[(day, number)] -= 1
                if not parts_left[(day, number)]:
                    self.report.progress(day, number, batches_of[day], *total)
            self.state.save()

    def _closed(
        self, closing: DayClosing, fronts: dict[str, int], blocked: set[str], summary: PassSummary
    ) -> tuple[int, int, list[str]]:
        """Read one batch's answer: (closed now, waiting, participants whose day is closed)."""
        day, closed, waiting, advanced = closing.day, 0, 0, []
        for result in closing.results:
            pid = result.participant
            if result.status.done:
                if fronts.get(pid) == day and pid not in blocked:
                    fronts[pid] = day + DAY_SECONDS
                    advanced.append(pid)
                if result.status is DayStatus.CLOSED:
                    closed += 1
                    self.report.detail(
                        f"{pid} {day_text(day)}: closed, {result.statement_id}, "
                        f"{result.estimated} reading(s) estimated"
                    )
            elif result.status is DayStatus.WAITING:
                waiting += 1
                blocked.add(pid)
                self.report.waiting(day, result, day + DAY_SECONDS + self.options.grace)
            elif result.status is DayStatus.NOT_BILLED:
                blocked.add(pid)
            else:
                blocked.add(pid)
                self.report.failure(summary, f"{pid} {day_text(day)}: {result.detail}")
        return closed, waiting, advanced

    # -- bills ----------------------------------------------------------------------------------
    def _cycle_at(self, day: int) -> BillingCycle:
        """The billing cycle of the tariff in force on ``day`` (monthly without a tariff)."""
        cycle = BillingCycle.MONTHLY
        for tariff in self._tariffs:
            if tariff.effective_from <= day:
                cycle = tariff.billing_cycle
        return cycle

    def _issue_bills(
        self, fronts: dict[str, int], participants: Iterable[str], summary: PassSummary
    ) -> int:
        """Bill every period of ``participants`` whose days are all closed (they are closed
        up to ``fronts``); how many bills were issued."""
        plans: list[tuple[str, int, int]] = []
        for pid in participants:
            closed_until = fronts[pid]
            billed = self._billed_from(pid, closed_until)
            if billed is None:
                continue
            # a period billed before (the runner killed after its Settle committed) is
            # settled again: Settle returns the stored bill
            plans.extend(
                (pid, start, end)
                for start, end in due_periods(billed, closed_until, self._cycle_at)
            )
        issued = 0
        stuck: set[str] = set()
        for wave in _waves(plans):  # a participant's periods are settled in order
            wave = [plan for plan in wave if plan[0] not in stuck]
            outcomes = self.tx.send(
                [("Settle", (pid, format_utc(start), format_utc(end))) for pid, start, end in wave]
            )
            for (pid, start, end), outcome in zip(wave, outcomes, strict=True):
                if not outcome.committed:
                    stuck.add(pid)
                    self.report.failure(
                        summary, f"Settle {pid} {day_text(start)}..{day_text(end)}: {outcome.error}"
                    )
                    continue
                issued += 1
                if outcome.result is not None:
                    committed = parse_json(outcome.result)
                    self.report.detail(
                        f"{pid}: bill {committed['bill_id']}, sha256 {committed['sha256']}"
                    )
                self._billed(pid, start, end)
        summary.bills_issued += issued
        return issued

    def _billed(self, pid: str, start: int, end: int) -> None:
        if end >= self._billed_until.get(pid, end):
            self._billed_until[pid] = end
            self.state.last_bills[pid] = (start, end)

    def _billed_from(self, pid: str, closed_until: int) -> int | None:
        """Where ``pid``'s next bill starts: the end of its last bill (the state's, once the
        ledger confirms it, else from its bills), else its first closed day in the lookback
        window; None with no closed day."""
        if pid in self._billed_until:
            return self._billed_until[pid]
        remembered = self.state.last_bills.get(pid)
        if remembered is not None:
            try:
                self.client.bill(pid, *remembered)
                self._billed_until[pid] = remembered[1]
                return remembered[1]
            except NotFound:
                del self.state.last_bills[pid]  # another ledger's, or lost: ask the ledger
        for bill in self.client.bills(pid):
            self._billed(pid, bill.period_start, bill.period_end)
        if pid in self._billed_until:
            return self._billed_until[pid]
        first = self._first_closed.get(pid)
        if first is not None and first < closed_until:
            self._billed_until[pid] = first
            return first
        return None

    # -- revisions ------------------------------------------------------------------------------
    def _revise(self, summary: PassSummary) -> None:
        due = self.client.days_to_revise(limit=1000).all()
        if not due:
            return
        outcomes = self.tx.send([("ReviseDay", (d.participant, format_utc(d.day))) for d in due])
        for item, outcome in zip(due, outcomes, strict=True):
            if not outcome.committed:
                self.report.failure(
                    summary, f"ReviseDay {item.participant} {day_text(item.day)}: {outcome.error}"
                )
                continue
            if outcome.result is not None:
                revision = read(DayRevision.from_json_dict, parse_json(outcome.result), "revision")
                if not revision.revised:
                    continue
                self.report.detail(
                    f"{item.participant} {day_text(item.day)}: revision {revision.revision}, "
                    f"true-up {revision.true_up_total}"
                )
            summary.revised += 1


def _waves(plans: list[tuple[str, int, int]]) -> list[list[tuple[str, int, int]]]:
    """The plans in waves holding at most one period per participant, each participant's
    periods in order: a wave's transactions go together, the next wave after them."""
    waves: list[list[tuple[str, int, int]]] = []
    count: Counter[str] = Counter()
    for plan in plans:
        index = count[plan[0]]
        count[plan[0]] += 1
        if index == len(waves):
            waves.append([])
        waves[index].append(plan)
    return waves
