"""The energy client's day-statement calls on a fake contract: ``settle`` closes the period's
open days first and stops at a waiting day; ``verify_bill`` checks every day statement."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from gridledger.energy import DayNotClosed, DayStatus, EnergyClient
from gridledger.gateway import EvaluateError, Status
from gridledger_domain import format_utc, parse_utc
from gridledger_domain.refusals import InvalidRequest

DAY = 86_400
START = parse_utc("2025-06-01T00:00:00Z")


def _result(pid: str, status: str, missing: int = 0, detail: str = "") -> dict[str, Any]:
    return {
        "participant": pid,
        "status": status,
        "statement_id": "",
        "missing": missing,
        "estimated": 0,
        "sha256": "",
        "detail": detail,
    }


@dataclass
class DayContract:
    """``closed`` days have statements; ``waiting`` days miss readings; bad days mismatch."""

    closed: set[int] = field(default_factory=set)
    waiting: set[int] = field(default_factory=set)
    mismatched: set[int] = field(default_factory=set)
    calls: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def evaluate(self, function: str, *args: str, timeout: float | None = None) -> bytes:
        self.calls.append((function, args))
        if function == "GetBill":
            raise EvaluateError("chaincode response 500, not found: no bill")
        if function == "ClosingProgress":
            first, last = parse_utc(args[1]), parse_utc(args[2])
            closed = sorted(d for d in self.closed if first <= d <= last)
            since = closed[0] if closed else first
            open_days = [d for d in range(since, last + 1, DAY) if d not in self.closed]
            progress = {
                "participant": json.loads(args[0])[0],
                "first_open": format_utc(open_days[0]) if open_days else "",
                "first_closed": format_utc(closed[0]) if closed else "",
                "last_closed": format_utc(closed[-1]) if closed else "",
                "closed": len(closed),
            }
            return json.dumps(
                {"first": args[1], "last": args[2], "participants": [progress]}
            ).encode()
        day = parse_utc(args[1]) if len(args) > 1 else 0
        if function == "GetDayStatement":
            if day not in self.closed:
                raise EvaluateError("chaincode response 500, not found: no statement")
            return b"{}"  # not read further by these tests
        if function == "VerifyBill":
            answer = {"bill_id": "B", "matches": True, "stored_inputs_hash": "h"}
            answer |= {"recomputed_inputs_hash": "h", "stored_total": 5, "recomputed_total": 5}
            return json.dumps(answer).encode()
        if function == "VerifyDayStatement":
            good = day not in self.mismatched
            answer = {"statement_id": f"S{day}", "matches": good, "stored_inputs_hash": "h"}
            answer |= {"recomputed_inputs_hash": "h" if good else "x", "stored_total": 1}
            answer |= {"recomputed_total": 1 if good else 2}
            return json.dumps(answer).encode()
        raise AssertionError(function)

    def new_proposal(self, function: str, args: list[str], transient: Any = None) -> Any:
        self.calls.append((function, tuple(args)))
        assert function == "CloseDays", function
        day = parse_utc(args[0])
        (pid,) = json.loads(args[1])
        if day in self.waiting:
            result = _result(
                pid, "waiting", 3, f"3 readings missing, first at {format_utc(day + 900)}"
            )
        else:
            self.closed.add(day)
            result = _result(pid, "closed")
        payload = json.dumps({"day": args[0], "results": [result]}).encode()

        class Submitted:
            def status(self, timeout: float | None = None) -> Status:
                return Status(0, True, 3, "tx")

        class Transaction:
            result = payload

            def submit(self, timeout: float | None = None) -> Submitted:
                return Submitted()

        class Proposal:
            def endorse(self, timeout: float | None = None) -> Transaction:
                return Transaction()

        return Proposal()


def test_settle_closes_the_open_days_and_names_the_first_waiting_one() -> None:
    contract = DayContract(closed={START}, waiting={START + 2 * DAY})
    client = EnergyClient(contract)  # type: ignore[arg-type]
    with pytest.raises(DayNotClosed) as raised:
        client.settle("P::a", START, START + 4 * DAY)
    error = raised.value
    assert error.day == START + 2 * DAY and error.result.status is DayStatus.WAITING
    assert error.reason == (
        "cannot settle P::a: day 2025-06-03 not closed: 3 readings missing, "
        "first at 2025-06-03T00:15:00Z"
    )
    closes = [args[0] for function, args in contract.calls if function == "CloseDays"]
    # day 1 was closed (ClosingProgress says so); the others are sent (days close in any order)
    assert closes == [format_utc(START + n * DAY) for n in (1, 2, 3)]
    assert "Settle" not in {function for function, _ in contract.calls}


def test_verify_bill_names_the_day_that_does_not_match() -> None:
    contract = DayContract(mismatched={START + DAY})
    client = EnergyClient(contract)  # type: ignore[arg-type]
    verification = client.verify_bill("P::a", START, START + 3 * DAY)
    assert verification.assembly_matches and not verification.matches
    assert [day.day for day in verification.days] == [START, START + DAY, START + 2 * DAY]
    assert [day.day for day in verification.mismatched_days] == [START + DAY]


def test_a_day_is_a_utc_midnight() -> None:
    client = EnergyClient(DayContract())  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match="midnight"):
        client.close_days(START + 900, ["P::a"])
