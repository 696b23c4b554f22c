"""The billing runner's arithmetic: days, periods on a tariff's cycle, grace, batches."""

from __future__ import annotations

import pytest
from gridledger.billing.calendar import (
    MAX_BATCH,
    BillingError,
    batches,
    due_periods,
    last_ended_day,
    may_estimate,
    parse_day,
    parse_duration,
    period_end,
)
from gridledger_domain import parse_utc
from gridledger_domain.vocabulary import BillingCycle as Cycle

DAY = 86_400


def day(text: str) -> int:
    return parse_utc(f"{text}T00:00:00Z")


def test_the_last_ended_day_is_yesterday_whatever_the_time_of_day() -> None:
    assert last_ended_day(day("2025-06-22")) == day("2025-06-21")
    assert last_ended_day(day("2025-06-22") + DAY - 1) == day("2025-06-21")


def test_estimates_wait_for_the_grace_period_after_the_days_end() -> None:
    end = day("2025-06-22")
    assert not may_estimate(day("2025-06-21"), end + 48 * 3600 - 1, 48 * 3600)
    assert may_estimate(day("2025-06-21"), end + 48 * 3600, 48 * 3600)
    assert may_estimate(day("2025-06-21"), end, 0)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-06-21", "2025-07-01"),  # a first closed day mid-month: to the month's end
        ("2025-02-01", "2025-03-01"),
        ("2024-02-01", "2024-03-01"),  # leap year
        ("2025-12-01", "2026-01-01"),  # year end
        ("2025-12-31", "2026-01-01"),
    ],
)
def test_a_monthly_period_ends_on_the_first_of_the_next_calendar_month(
    start: str, end: str
) -> None:
    assert period_end(day(start), Cycle.MONTHLY) == day(end)


def test_a_daily_period_is_one_day() -> None:
    assert period_end(day("2025-12-31"), Cycle.DAILY) == day("2026-01-01")


def test_due_periods_are_those_whose_days_are_all_closed() -> None:
    monthly = due_periods(day("2025-05-20"), day("2025-07-01"), lambda _: Cycle.MONTHLY)
    assert monthly == [
        (day("2025-05-20"), day("2025-06-01")),
        (day("2025-06-01"), day("2025-07-01")),
    ]
    assert due_periods(day("2025-06-01"), day("2025-06-30"), lambda _: Cycle.MONTHLY) == []
    daily = due_periods(day("2025-06-21"), day("2025-06-24"), lambda _: Cycle.DAILY)
    assert [end - start for start, end in daily] == [DAY, DAY, DAY]
    assert daily[-1][1] == day("2025-06-24")


def test_each_period_takes_the_cycle_in_force_at_its_start() -> None:
    switch = day("2025-07-01")

    def cycle(at: int) -> Cycle:
        return Cycle.MONTHLY if at < switch else Cycle.DAILY

    periods = due_periods(day("2025-06-01"), day("2025-07-03"), cycle)
    assert periods == [
        (day("2025-06-01"), switch),
        (switch, switch + DAY),
        (switch + DAY, switch + 2 * DAY),
    ]


def test_participants_are_batched_100_per_transaction_in_order() -> None:
    names = [f"p{i:03d}" for i in range(250)]
    groups = batches(names)
    assert [len(g) for g in groups] == [MAX_BATCH, MAX_BATCH, 50]
    assert [n for g in groups for n in g] == names
    assert batches([]) == []
    with pytest.raises(ValueError):
        batches(names, 0)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("48h", 172_800), ("90m", 5_400), ("2d", 172_800), ("30s", 30), ("600", 600), ("0h", 0)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "-1h", "two days", "3w"])
def test_a_bad_duration_is_a_billing_error(text: str) -> None:
    with pytest.raises(BillingError, match="duration"):
        parse_duration(text)


def test_days() -> None:
    assert parse_day("2025-06-21") == day("2025-06-21")
    with pytest.raises(BillingError, match="YYYY-MM-DD"):
        parse_day("21/06/2025")
