"""The billing runner: closes each billed participant's ended days as their data completes,
revises days whose estimates got actual readings, and issues period bills on the tariff's cycle.

Everything it does is derived from the ledger, so a pass can be repeated, or cut short by a
kill and started again, without a bill twice or one skipped:

- where a participant stands, asked of the contract each pass (``preview_close_days`` on the
  last ended day, 100 participants per query: ``already_closed``, or ``out_of_order`` naming the
  next day to close); a participant with no closed day starts on ``since``, else on the first
  whole UTC day its meters reported, looking back ``lookback_days``;
- days close in order, up to 100 participants per ``CloseDays``; a day missing readings waits
  (and is named) until its grace period has passed, then closes with estimates;
- a period is billed once all its days are closed: a period billed before is found with
  ``GetBill`` (or ``Settle`` returns the stored bill); billing resumes at the end of the
  participant's last bill (from the local state once ``GetBill`` confirms it, else from its
  bills), else on its first closed day.

Transactions go through the durable outbox (``OutboxTransactions``); queries straight through
the ``EnergyClient``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gridledger.billing.calendar import (
    DEFAULT_GRACE,
    batches,
    day_text,
    due_periods,
    last_ended_day,
    may_estimate,
)
from gridledger.billing.report import PassSummary, Reporter
from gridledger.billing.state import RunnerState
from gridledger.billing.transactions import OutboxTransactions
from gridledger.energy import DayClosing, DayRevision, DayStatus, EnergyClient, NotFound, Tariff
from gridledger.energy.answers import parse_json, read, read_bill
from gridledger_domain import format_utc
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS, day_of
from gridledger_domain.vocabulary import BILLED_ROLES, BillingCycle

READ_WINDOW_DAYS = 31  # the contract's longest readings query


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
        self._revise(summary)
        billed = [p.participant_id for p in self.client.participants() if p.role in BILLED_ROLES]
        fronts = self._fronts(billed, last, summary)
        self._close(fronts, last, now, summary)
        catch_up = self._issue_bills(fronts, fronts, summary)  # periods whose days closed before
        if catch_up:
            self.report.echo(f"bills issued {catch_up} for periods closed earlier")
        self.state.save()
        return summary

    # -- where each participant stands ----------------------------------------------------------
    def _fronts(self, participants: list[str], last: int, summary: PassSummary) -> dict[str, int]:
        """Each participant's next day to close, as the contract tells."""
        fronts: dict[str, int] = {}
        for group in batches(participants):
            undecided: list[str] = []
            for result in self.client.preview_close_days(last, group).results:
                pid = result.participant
                if result.status is DayStatus.ALREADY_CLOSED:
                    fronts[pid] = last + DAY_SECONDS
                elif result.status is DayStatus.OUT_OF_ORDER and result.next_day is not None:
                    fronts[pid] = result.next_day
                elif result.status in (DayStatus.CLOSED, DayStatus.WAITING):
                    undecided.append(pid)  # ``last`` is its next day, or it has none closed
                elif result.status is DayStatus.OUT_OF_ORDER:
                    self.report.failure(summary, f"{pid}: no next day in {result.detail!r}")
            if undecided:
                before = self.client.preview_close_days(last - DAY_SECONDS, undecided)
                for result in before.results:
                    if result.status is DayStatus.ALREADY_CLOSED:
                        fronts[result.participant] = last
                    else:
                        self._start(result.participant, last, fronts)
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
        blocked: set[str] = set()
        while True:
            open_days = {p: d for p, d in fronts.items() if p not in blocked and d <= last}
            if not open_days:
                return
            day = min(open_days.values())
            estimate = may_estimate(day, now, self.options.grace)
            groups = batches(sorted(p for p, d in open_days.items() if d == day))
            flag = "true" if estimate else "false"
            outcomes = self.tx.send(
                [("CloseDays", (format_utc(day), json.dumps(g), flag)) for g in groups]
            )
            for number, (group, outcome) in enumerate(zip(groups, outcomes, strict=True), 1):
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
                self.report.progress(day, number, len(groups), closed, waiting, bills, estimated)
                self.state.save()

    def _closed(
        self, closing: DayClosing, fronts: dict[str, int], blocked: set[str], summary: PassSummary
    ) -> tuple[int, int, list[str]]:
        """Read one batch's answer: (closed now, waiting, participants whose day is closed)."""
        day, closed, waiting, advanced = closing.day, 0, 0, []
        for result in closing.results:
            pid = result.participant
            if result.status.done:
                fronts[pid] = day + DAY_SECONDS
                advanced.append(pid)
                if result.status is DayStatus.CLOSED:
                    closed += 1
                    self.report.detail(
                        f"{pid} {day_text(day)}: closed, {result.statement_id}, total "
                        f"{result.total}, {result.estimated} reading(s) estimated"
                    )
            elif result.status is DayStatus.WAITING:
                waiting += 1
                blocked.add(pid)
                self.report.waiting(day, result, day + DAY_SECONDS + self.options.grace)
            elif result.status is DayStatus.OUT_OF_ORDER and result.next_day not in (None, day):
                assert result.next_day is not None
                fronts[pid] = result.next_day
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
            for start, end in due_periods(billed, closed_until, self._cycle_at):
                try:
                    self.client.bill(pid, start, end)
                except NotFound:
                    plans.append((pid, start, end))
                    continue
                self.report.detail(f"{pid}: {day_text(start)}..{day_text(end)} billed before")
                self._billed(pid, start, end)
        if not plans:
            return 0
        outcomes = self.tx.send(
            [("Settle", (pid, format_utc(start), format_utc(end))) for pid, start, end in plans]
        )
        issued = 0
        stuck: set[str] = set()
        for (pid, start, end), outcome in zip(plans, outcomes, strict=True):
            if not outcome.committed:
                stuck.add(pid)
                self.report.failure(
                    summary, f"Settle {pid} {day_text(start)}..{day_text(end)}: {outcome.error}"
                )
                continue
            issued += 1
            if outcome.result is not None:
                bill = read_bill(outcome.result)
                self.report.detail(f"{pid}: bill {bill.bill_id}, total {bill.total}")
            if pid not in stuck:
                self._billed(pid, start, end)
        summary.bills_issued += issued
        return issued

    def _billed(self, pid: str, start: int, end: int) -> None:
        if end >= self._billed_until.get(pid, end):
            self._billed_until[pid] = end
            self.state.last_bills[pid] = (start, end)

    def _billed_from(self, pid: str, closed_until: int) -> int | None:
        """Where ``pid``'s next bill starts: the end of its last bill (the state's, once the
        ledger confirms it, else from its bills), else its first closed day (its statements
        before ``closed_until``, walked back); None with no closed day."""
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
        day, first = closed_until - DAY_SECONDS, None
        while True:
            try:
                self.client.day_statement(pid, day)
            except NotFound:
                break
            first, day = day, day - DAY_SECONDS
        if first is not None:
            self._billed_until[pid] = first
        return first

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
