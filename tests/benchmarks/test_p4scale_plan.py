"""P4scale's arithmetic (bench/p4plan.py) and its report (bench/p4scale.py), without a network."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bench.p4plan import best_under, chunks, groups, holder_layout, implied_seconds
from bench.p4scale import P4Options, P4Results, p4_report


@pytest.mark.parametrize(
    ("certificates", "meters", "per_meter"),
    [(1_000_000, 100, 10_001), (100_000, 100, 1_001), (5_000, 5, 1_001), (10, 1, 673)],
)
def test_holder_layout_earns_at_least_the_certificates_asked(
    certificates: int, meters: int, per_meter: int
) -> None:
    layout = holder_layout(certificates)
    assert (layout.meters, layout.readings_per_meter) == (meters, per_meter)
    assert layout.certificates_earned >= certificates
    assert layout.readings == meters * per_meter


def test_holder_layout_refuses_nothing_to_hold() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        holder_layout(0)


def test_chunks_cover_every_reading_once_in_order() -> None:
    runs = list(chunks(1201, 500))
    assert runs == [range(0, 500), range(500, 1000), range(1000, 1201)]
    assert [i for run in runs for i in run] == list(range(1201))


def test_groups_cut_participants_into_calls() -> None:
    ids = [f"p{i}" for i in range(7)]
    assert groups(ids, 3) == [["p0", "p1", "p2"], ["p3", "p4", "p5"], ["p6"]]
    assert groups(ids, 100) == [ids]


def test_implied_seconds() -> None:
    assert implied_seconds(10_000, 20.0) == 500.0
    assert implied_seconds(10_000, 0.0) == math.inf


def _point(
    inflight: int, rate: float, p99: float, *, failed: int = 0, rnd: int = 1
) -> dict[str, Any]:
    return {
        "inflight": inflight,
        "readings_per_second": rate,
        "p50_ms": p99 / 2,
        "p99_ms": p99,
        "failed": failed,
        "round": rnd,
    }


def test_best_under_skips_points_over_the_latency_limit_or_with_failures() -> None:
    points = [
        _point(2, 2000, 500),
        _point(8, 4000, 2500),
        _point(16, 5000, 3500),
        _point(4, 4500, 900, failed=1),
    ]
    best = best_under(points, 3000)
    assert best is not None and best["inflight"] == 8
    assert best_under([_point(16, 5000, 3500)], 3000) is None


def _results() -> P4Results:
    results = P4Results(P4Options(certificates=5000, p3_rounds=2))
    results.figures["certificates"] = {
        "meters": 5,
        "seeded": 5005,
        "seed_seconds": 10.0,
        "listed": 5000,
        "list_seconds": 0.5,
        "page_ms": [100.0] * 5,
    }
    results.figures["week"] = {"small_seller_seconds": [1.0, 1.5], "holder_seconds": [2.5]}
    results.figures["customer"] = {
        "meters": 100,
        "intervals": 288_000,
        "inflight": 4,
        "close_seconds": 8.0,
        "slowest_day_seconds": 0.5,
        "settle_seconds": 1.0,
    }
    results.figures["consumers"] = {
        "consumers": 100,
        "via": "calls",
        "seconds": 10.0,
        "close_seconds": 8.0,
        "settle_seconds": 2.0,
        "per_call": 50,
        "inflight": 4,
    }
    results.p3 = {
        "baseline": [_point(16, 4000, 2000, rnd=1), _point(16, 4000, 2000, rnd=2)],
        "this": [_point(16, 4400, 2000, rnd=1), _point(8, 3600, 1000, rnd=2)],
    }
    return results


def test_report_prints_each_figure_with_its_sizes_and_verdict() -> None:
    text = p4_report(_results())
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    rows = {line.split("|")[1].strip(): line for line in lines}
    assert "10,000/s" in rows["certificates listed page by page (certificates(), 1,000 a page)"]
    assert "500 readings/s" in rows["seeding (not timed): readings through submit_readings"]
    week = [line for line in lines if line.startswith("| 7-day offer")]
    assert "| met" in week[0] and "NOT met" in week[1]
    assert "9.00 s" in rows["customer-month billed end to end (CloseDays x 30, Settle)"]
    consumers = rows["single-meter consumer-months billed"]
    assert "10.0 bills/s" in consumers and "16.7 min" in consumers and "NOT met" in consumers
    assert "1.10" in rows["P3 round 1: best readings/s with p99 <= 3 s, this / baseline"]
    assert "0.90" in rows["P3 round 2: best readings/s with p99 <= 3 s, this / baseline"]
    mean = rows["P3 not lower than before (mean of the rounds' ratios)"]
    assert "1.00" in mean and "| met" in mean


def test_report_of_the_billing_runner_says_what_it_did() -> None:
    results = P4Results(P4Options())
    results.figures["consumers"] = {
        "consumers": 200,
        "via": "runner",
        "seconds": 8.0,
        "days_closed": 6000,
        "bills": 200,
    }
    row = next(line for line in p4_report(results).splitlines() if "consumer-months" in line)
    assert "6,000 days closed, 200 bills issued in 8.0 s" in row
    assert "25.0 bills/s" in row and "6.7 min" in row and "| met" in row


def test_a_refused_buy_is_reported_with_its_cause() -> None:
    results = P4Results(P4Options(certificates=100_000))
    results.figures["week"] = {
        "small_seller_seconds": [1.2],
        "holder_seconds": [],
        "holder_errors": ["REQUEST_ENTITY_TOO_LARGE"],
    }
    rows = [line for line in p4_report(results).splitlines() if "7-day offer" in line]
    assert len(rows) == 2 and "| met" in rows[0]
    assert "1 of 1 offers refused" in rows[1] and "REQUEST_ENTITY_TOO_LARGE" in rows[1]


def test_report_says_what_did_not_run() -> None:
    results = P4Results(P4Options())
    results.not_run["p3"] = "no --p3-baseline checkout given"
    assert "- not run: p3: no --p3-baseline checkout given" in p4_report(results)
