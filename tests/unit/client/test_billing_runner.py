"""The billing runner against an in-memory ledger that answers like the energy contract:
days close in any order, a day missing readings waits (or closes with estimates), a period is
billed once all its days are closed, and every contract call is idempotent."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from gridledger.billing import BillingRunner, Outcome, Reporter, RunnerOptions, RunnerState
from gridledger.billing.calendar import organisation_batches
from gridledger.energy import ClosingProgress, NotFound, Role
from gridledger.gateway import GatewayError
from gridledger_domain import format_utc, parse_utc
from gridledger_domain.vocabulary import BillingCycle

DAY = 86_400
START = parse_utc("2025-06-01T00:00:00Z")
NOW = START + 5 * DAY + 3600  # 2025-06-06 01:00: days 06-01 .. 06-05 have ended


def not_found(what: str) -> NotFound:
    return NotFound(what, GatewayError(f"not found: {what}"))


class Listing:
    def __init__(self, items: Sequence[Any]) -> None:
        self.items = list(items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def all(self) -> list[Any]:
        return list(self.items)


class FakeLedger:
    """The contract's billing state and answers (only what the runner uses)."""

    def __init__(self, complete: dict[str, set[int]], cycle: str = "daily") -> None:
        self.complete = complete  # participant -> days whose readings are all there
        self.cycle = cycle
        self.roles = {pid: Role.CONSUMER for pid in complete}
        self.closed: dict[str, list[int]] = {pid: [] for pid in complete}
        self.bills: dict[tuple[str, int, int], int] = {}
        self.settled = Counter[tuple[str, int, int]]()
        self.close_calls = 0

    def result(self, day: int, pid: str, estimate: bool, write: bool) -> dict[str, Any]:
        closed = self.closed[pid]
        base = {"participant": pid, "statement_id": "", "missing": 0, "estimated": 0}
        if self.roles[pid] is Role.PRODUCER:
            return {**base, "status": "not_billed", "sha256": "", "detail": ""}
        if day in closed:
            return {**base, "status": "already_closed", "sha256": "", "detail": ""}
        if day not in self.complete[pid] and not estimate:
            first = f"3 readings missing, first at {format_utc(day)}"
            return {**base, "status": "waiting", "missing": 3, "sha256": "", "detail": first}
        if write:
            closed.append(day)
        estimated = 0 if day in self.complete[pid] else 3
        return {
            **base,
            "status": "closed",
            "statement_id": f"S-{pid}-{day}",
            "sha256": "ab",
            "estimated": estimated,
            "detail": "",
        }

    def close_days(self, day_text: str, pids: list[str], estimate: bool, write: bool) -> bytes:
        day = parse_utc(day_text)
        results = [self.result(day, pid, estimate, write) for pid in pids]
        return json.dumps({"day": day_text, "results": results}).encode()

    def settle(self, pid: str, start: int, end: int) -> None:
        if any(d not in self.closed[pid] for d in range(start, end, DAY)):
            raise AssertionError(f"settled {pid} with open days")
        key = (pid, start, end)
        if key not in self.bills:
            self.bills[key] = 1
            self.settled[key] += 1


class FakeClient:
    def __init__(self, ledger: FakeLedger) -> None:
        self.ledger = ledger

    def tariffs(self) -> Listing:
        return Listing(
            [SimpleNamespace(effective_from=0, billing_cycle=BillingCycle(self.ledger.cycle))]
        )

    def participants(self) -> Listing:
        return Listing(
            [SimpleNamespace(participant_id=p, role=r) for p, r in self.ledger.roles.items()]
        )

    def closing_progress(self, pids: list[str], first: int, last: int) -> list[ClosingProgress]:
        answers = []
        for pid in pids:
            closed = sorted(d for d in self.ledger.closed[pid] if first <= d <= last)
            since = closed[0] if closed else first
            first_open = next((d for d in range(since, last + 1, DAY) if d not in closed), None)
            answers.append(
                ClosingProgress(
                    pid,
                    first_open,
                    closed[0] if closed else None,
                    closed[-1] if closed else None,
                    len(closed),
                )
            )
        return answers

    def meters(self, pid: str) -> Listing:
        return Listing([SimpleNamespace(meter_id=f"M-{pid}")])

    def readings(self, meter_id: str, start: int, end: int, **_: Any) -> Listing:
        pid = meter_id[2:]
        days = sorted(d for d in self.ledger.complete[pid] if start <= d <= end)
        return Listing(
            [SimpleNamespace(reading=SimpleNamespace(interval_start=days[0]))][:1] if days else []
        )

    def bills(self, pid: str) -> Listing:
        return Listing(
            [
                SimpleNamespace(period_start=s, period_end=e)
                for (p, s, e) in self.ledger.bills
                if p == pid
            ]
        )

    def bill(self, pid: str, start: int, end: int) -> Any:
        if (pid, start, end) not in self.ledger.bills:
            raise not_found("bill")
        return SimpleNamespace()

    def day_statement(self, pid: str, day: int) -> Any:
        if day not in self.ledger.closed[pid]:
            raise not_found("statement")
        return SimpleNamespace()

    def days_to_revise(self, **_: Any) -> Listing:
        return Listing([])


class Killed(Exception):
    pass


class FakeTransactions:
    """Applies each request to the ledger; ``kill_after`` sends, raises like a killed runner
    (after the ledger committed: the runner never saw the answers)."""

    def __init__(self, ledger: FakeLedger, kill_after: int | None = None) -> None:
        self.ledger = ledger
        self.kill_after = kill_after
        self.sends = 0
        self.sent: list[tuple[str, tuple[str, ...]]] = []

    def recover(self) -> int:
        return 0

    def send(self, requests: Sequence[tuple[str, Sequence[str]]]) -> list[Outcome]:
        outcomes = []
        for function, args in requests:
            self.sent.append((function, tuple(args)))
            if function == "CloseDays":
                day, pids, flag = args
                self.ledger.close_calls += 1
                raw = self.ledger.close_days(day, json.loads(pids), flag == "true", write=True)
                outcomes.append(Outcome(True, raw))
            elif function == "Settle":
                pid, start, end = args
                self.ledger.settle(pid, parse_utc(start), parse_utc(end))
                outcomes.append(Outcome(True, None))
            else:
                raise AssertionError(function)
        self.sends += 1
        if self.kill_after is not None and self.sends >= self.kill_after:
            raise Killed
        return outcomes


def runner(
    ledger: FakeLedger,
    state_path: Path,
    lines: list[str],
    *,
    kill_after: int | None = None,
    since: int | None = None,
    grace: int = 48 * 3600,
    now: int = NOW,
) -> tuple[BillingRunner, FakeTransactions]:
    transactions = FakeTransactions(ledger, kill_after)
    run = BillingRunner(
        FakeClient(ledger),  # type: ignore[arg-type]
        transactions,  # type: ignore[arg-type]
        RunnerState.load(state_path),
        Reporter(lines.append),
        RunnerOptions(grace=grace, since=since),
        clock=lambda: float(now),
    )
    return run, transactions


def days(first: int, count: int) -> set[int]:
    return {START + (first + i) * DAY for i in range(count)}


def test_one_pass_closes_every_ended_day_and_bills_each_once(tmp_path: Path) -> None:
    ledger = FakeLedger({"a": days(0, 5), "b": days(0, 5)})
    lines: list[str] = []
    run, _ = runner(ledger, tmp_path / "state.json", lines)
    summary = run.run_pass()
    assert summary.closed == 10 and summary.bills_issued == 10 and not summary.failures
    assert ledger.closed["a"] == sorted(days(0, 5))
    assert set(ledger.settled.values()) == {1} and len(ledger.settled) == 10
    assert lines[0] == "2025-06-01: closed 2, waiting 0, bills issued 2"
    again, transactions = runner(ledger, tmp_path / "state.json", lines)
    assert again.run_pass().bills_issued == 0
    assert transactions.sent == []  # the state says everything is done: nothing sent


def test_without_state_the_ledger_tells_where_each_participant_stands(tmp_path: Path) -> None:
    ledger = FakeLedger({"a": days(0, 5)})
    run, _ = runner(ledger, tmp_path / "state.json", [])
    run.run_pass()
    lines: list[str] = []
    fresh, transactions = runner(ledger, tmp_path / "other.json", lines)
    summary = fresh.run_pass()
    assert summary.bills_issued == 0 and summary.closed == 0
    assert transactions.sent == []
    assert set(ledger.settled.values()) == {1}


def test_a_missing_reading_waits_is_named_and_holds_back_later_bills(tmp_path: Path) -> None:
    ledger = FakeLedger({"a": days(0, 5), "b": days(0, 2) | days(3, 2)})
    lines: list[str] = []
    run, _ = runner(ledger, tmp_path / "state.json", lines, grace=10 * DAY)
    summary = run.run_pass()
    assert sorted(ledger.closed["b"]) == sorted(days(0, 2) | days(3, 2))  # any order
    assert [s for p, s, _ in ledger.bills if p == "b"] == sorted(days(0, 2))
    assert summary.waiting == 1
    waiting = [line for line in lines if line.startswith("waiting:")]
    assert waiting == [
        "waiting: b 2025-06-03: 3 readings missing, first at 2025-06-03T00:00:00Z "
        "(estimated after 2025-06-14T00:00:00Z if still missing)"
    ]
    assert ("b", START + 2 * DAY, START + 3 * DAY) not in ledger.bills


def test_after_the_grace_period_the_day_closes_with_estimates(tmp_path: Path) -> None:
    ledger = FakeLedger({"b": days(0, 2) | days(3, 2)})
    lines: list[str] = []
    run, _ = runner(ledger, tmp_path / "state.json", lines, grace=24 * 3600)
    run.run_pass()
    assert ledger.closed["b"] == sorted(days(0, 5))
    assert "2025-06-03: closed 1 (1 with estimated readings), waiting 0, bills issued 1" in lines


def test_killed_mid_cycle_and_restarted_every_bill_exactly_once(tmp_path: Path) -> None:
    ledger = FakeLedger({f"p{i}": days(0, 30) for i in range(3)}, cycle="monthly")
    state = tmp_path / "state.json"
    month_end = parse_utc("2025-07-01T00:00:00Z")
    for kill_after in (1, 2, 1):  # 30 days: rounds of 8, 8 + 8, 6 days; killed before billing
        run, _ = runner(ledger, state, [], kill_after=kill_after, now=month_end + 3600)
        with pytest.raises(Killed):
            run.run_pass()
    assert not ledger.settled
    run, _ = runner(ledger, state, [], now=month_end + 3600)
    run.run_pass()
    assert set(ledger.settled) == {(f"p{i}", START, month_end) for i in range(3)}
    assert set(ledger.settled.values()) == {1}


def test_killed_after_the_bills_committed_the_restart_finds_them(tmp_path: Path) -> None:
    ledger = FakeLedger({"a": days(0, 5)})
    run, _ = runner(ledger, tmp_path / "state.json", [], kill_after=2)  # close, settle, kill
    with pytest.raises(Killed):
        run.run_pass()
    assert len(ledger.settled) == 1
    lines: list[str] = []
    again, _ = runner(ledger, tmp_path / "state.json", lines)
    again.run_pass()
    assert set(ledger.settled.values()) == {1} and len(ledger.settled) == 5


def test_a_participant_with_no_closed_day_starts_on_since(tmp_path: Path) -> None:
    ledger = FakeLedger({"a": days(0, 5)})
    run, _ = runner(ledger, tmp_path / "state.json", [], since=START + 3 * DAY)
    run.run_pass()
    assert ledger.closed["a"] == sorted(days(3, 2))


def test_without_since_billing_starts_on_the_first_reported_day(tmp_path: Path) -> None:
    ledger = FakeLedger({"a": days(2, 3)})
    run, _ = runner(ledger, tmp_path / "state.json", [])
    run.run_pass()
    assert ledger.closed["a"] == sorted(days(2, 3))


def test_more_than_100_participants_close_in_batches(tmp_path: Path) -> None:
    ledger = FakeLedger({f"p{i:03d}": days(0, 1) for i in range(150)})
    lines: list[str] = []
    run, transactions = runner(ledger, tmp_path / "state.json", lines, now=START + DAY + 60)
    run.run_pass()
    closes = [args for function, args in transactions.sent if function == "CloseDays"]
    assert [len(json.loads(args[1])) for args in closes] == [100, 50]
    assert lines[:2] == [
        "2025-06-01 batch 1/2: closed 100, waiting 0, bills issued 100",
        "2025-06-01 batch 2/2: closed 50, waiting 0, bills issued 50",
    ]


def test_a_state_file_of_another_ledger_skips_no_bill(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(
        json.dumps({"version": 2, "last_bills": {"a": [START + 2 * DAY, START + 3 * DAY]}})
    )
    ledger = FakeLedger({"a": days(0, 5)})
    run, _ = runner(ledger, state, [])
    run.run_pass()
    assert sorted(start for _, start, _ in ledger.settled) == sorted(days(0, 5))
    assert json.loads(state.read_text())["last_bills"] == {"a": [START + 4 * DAY, START + 5 * DAY]}


def test_close_days_batches_hold_one_organisation_each() -> None:
    """``CloseDays`` reads its participants' private meter data: one organisation per call."""
    due = ["A::1", "B::1", "A::2", "B::2", "A::3"]
    assert organisation_batches(due, size=2) == [["A::1", "A::2"], ["A::3"], ["B::1", "B::2"]]
