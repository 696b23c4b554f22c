"""P4scale: billing and listing at a utility's size (issue 16, "What must be shown").

On the bench devnet (both organisations endorsing the ``gridledger`` chaincode):
1. a holder of ``--certificates`` certificates (default 100,000) lists them through the client's
   ``certificates()`` listing, pages of 1,000: certificates/s (target >= 5,000). The holder's
   readings are seeded through ``EnergyClient.submit_readings`` first (rate printed, not timed);
2. a whole 7-day offer (672 intervals) bought in one call, from a one-meter seller and from the
   holder: seconds (target <= 2 s);
3. one customer with ``--customer-meters`` meters (100) billed for a month end to end
   (``CloseDays`` for each of its 30 days, ``--calls-in-flight`` at once, then ``Settle``):
   seconds (target <= 10 s); and
   ``--consumers`` single-meter consumer-months billed through ``CloseDays`` calls of up to
   ``--per-call`` participants, ``--calls-in-flight`` at once, then ``Settle`` each: bills/s
   and the implied time for 10,000 (target >= 17 bills/s); seeding not counted;
4. P3 (signed readings/s, both organisations endorsing, p99) of this checkout and of
   ``--p3-baseline`` (a checkout with its own .venv) in the same run, each on its own fresh
   devnet, with the ratio.

The workers are bench/p4_worker.py (1-3) and bench/p3_versions.py (4), each a subprocess.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.network import REPO_ROOT, BenchNetwork
from bench.p4plan import best_under, holder_layout, implied_seconds
from bench.runner import percentile
from bench.table import render, verdict

LISTED_PER_SECOND_TARGET = 5000.0
WEEK_BUY_SECONDS_TARGET = 2.0
CUSTOMER_MONTH_SECONDS_TARGET = 10.0
BILLS_PER_SECOND_TARGET = 17.0
BILLS_AT_SCALE = 10_000
P3_INFLIGHT = (2, 4, 8, 16)  # the P3 ladder of bench/__main__.py
P3_P99_MS_TARGET = 3000.0
VERSIONS_SCRIPT = REPO_ROOT / "bench" / "p3_versions.py"


@dataclass(frozen=True)
class P4Options:
    """What ``python -m bench --suites P4scale`` runs, at which sizes (its flags)."""

    items: tuple[str, ...] = ("certificates", "week", "customer", "consumers", "p3")
    certificates: int = 100_000
    page_size: int = 1000
    seed_inflight: int = 8
    repeats: int = 3
    customer_meters: int = 100
    consumers: int = 200
    per_call: int = 50
    calls_in_flight: int = 4
    consumers_via: str = "runner"  # gridledger billing run --once, or "calls" (CloseDays, Settle)
    p3_baseline: Path | None = None
    p3_warmup: float = 2.0
    p3_duration: float = 10.0
    p3_rounds: int = 2
    prefix: str = ""


@dataclass
class P4Results:
    options: P4Options
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    p3: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # label -> points
    p3_commits: dict[str, str] = field(default_factory=dict)
    not_run: dict[str, str] = field(default_factory=dict)  # figure -> why


class P4WorkerError(RuntimeError):
    """A P4scale worker exited without its result line."""


def _json_lines(argv: Sequence[str], cwd: Path, what: str) -> list[dict[str, Any]]:
    """Run ``argv`` in ``cwd`` (stderr passes through); the JSON lines it printed."""
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise P4WorkerError(f"{what} exited {done.returncode}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise P4WorkerError(f"{what}: no result line")
    return lines


def run_worker(network: BenchNetwork, command: str, *options: str) -> dict[str, Any]:
    """``python -m bench.p4_worker COMMAND`` on ``network``: its result."""
    argv = [sys.executable, "-m", "bench.p4_worker", command, *options]
    argv.append(f"--network={network.network_json}")
    return _json_lines(argv, REPO_ROOT, f"p4_worker {command}")[-1]


def commit_of(checkout: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(checkout), "log", "-1", "--format=%h %s"],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    return done.stdout.strip()[:80] or "unknown commit"


def run_p3_version(
    checkout: Path, home: Path, inflights: Sequence[int], warmup: float, duration: float
) -> list[dict[str, Any]]:
    """P3 points of ``checkout`` measured by its own bench (see bench/p3_versions.py)."""
    python = checkout / ".venv" / "bin" / "python"
    # -c: the checkout's folder is first on sys.path, so its own bench package is imported
    code = (
        "import runpy, sys; "
        f"sys.argv[0] = {str(VERSIONS_SCRIPT)!r}; "
        f"runpy.run_path({str(VERSIONS_SCRIPT)!r}, run_name='__main__')"
    )
    argv = [str(python), "-c", code, str(home), ",".join(map(str, inflights))]
    return _json_lines([*argv, f"{warmup}", f"{duration}"], checkout, f"P3 of {checkout}")


def run_p4scale(
    network: BenchNetwork, options: P4Options, progress: Callable[[str], None]
) -> P4Results:
    """Items 1-3 on ``network`` (item 4 runs on its own devnets: ``run_p3_versions``)."""
    results = P4Results(options)
    prefix = f"--prefix={options.prefix}"
    steps: list[tuple[str, str, list[str]]] = [
        (
            f"certificates: seeding a holder of {options.certificates:,}, then listing",
            "certificates",
            [
                f"--certificates={options.certificates}",
                f"--inflight={options.seed_inflight}",
                f"--page-size={options.page_size}",
            ],
        ),
        (
            "week: buying whole 7-day offers",
            "week-offer",
            [f"--repeats={options.repeats}", f"--holder-certificates={options.certificates}"],
        ),
        (
            f"customer: a {options.customer_meters}-meter customer's month",
            "customer",
            [f"--meters={options.customer_meters}", f"--inflight={options.calls_in_flight}"],
        ),
        (
            f"consumers: {options.consumers} single-meter consumer-months",
            "consumers",
            [
                f"--consumers={options.consumers}",
                f"--via={options.consumers_via}",
                f"--per-call={options.per_call}",
                f"--inflight={options.calls_in_flight}",
            ],
        ),
    ]
    for title, command, extra in steps:
        name = title.split(":", 1)[0]
        if name not in options.items:
            continue
        progress(f"[P4scale] {title}")
        try:
            results.figures[name] = run_worker(network, command, prefix, *extra)
        except P4WorkerError as exc:  # reported in the table's notes; the other items still run
            results.not_run[name] = str(exc)
    return results


def run_p3_versions(results: P4Results, scratch: Path, progress: Callable[[str], None]) -> None:
    """Item 4: P3 of the baseline checkout and of this one, each on a fresh devnet; round 1
    baseline first, round 2 this checkout first, and so on (drift of a shared machine falls on
    both)."""
    options = results.options
    if "p3" not in options.items:
        return
    if options.p3_baseline is None:
        results.not_run["p3"] = "no --p3-baseline checkout given"
        return
    versions = [("baseline", options.p3_baseline), ("this", REPO_ROOT)]
    for label, checkout in versions:
        results.p3_commits[label] = commit_of(checkout)
        results.p3[label] = []
    for round_number in range(1, options.p3_rounds + 1):
        order = versions if round_number % 2 else versions[::-1]
        for label, checkout in order:
            progress(f"[P4scale] P3 round {round_number}: {label} ({results.p3_commits[label]})")
            home = scratch / f"p3-{label}-{round_number}"
            try:
                points = run_p3_version(
                    checkout, home, P3_INFLIGHT, options.p3_warmup, options.p3_duration
                )
            except P4WorkerError as exc:
                results.not_run[f"P3 round {round_number} {label}"] = str(exc)
                continue
            for point in points:
                point["round"] = round_number
                progress(
                    f"[P4scale]   {point['inflight']} in flight: "
                    f"{point['readings_per_second']:,.0f} readings/s, "
                    f"p99 {point['p99_ms']:,.0f} ms"
                )
            results.p3[label] += points


def _f(value: float, digits: int = 0) -> str:
    return "-" if math.isnan(value) else f"{value:,.{digits}f}"


def _certificate_rows(figure: dict[str, Any]) -> list[list[str]]:
    listed, seconds = int(figure["listed"]), float(figure["list_seconds"])
    rate = listed / seconds if seconds else math.nan
    pages = [float(x) for x in figure["page_ms"]]
    seed_rate = figure["seeded"] / figure["seed_seconds"] if figure["seed_seconds"] else math.nan
    return [
        [
            "certificates listed page by page (certificates(), 1,000 a page)",
            f"holder of {listed:,} ({figure['meters']} solar meters); {len(pages)} pages, "
            f"page p50 {_f(percentile(pages, 0.5))} ms, p99 {_f(percentile(pages, 0.99))} ms",
            f"{_f(rate)}/s ({seconds:,.1f} s)",
            f">= {LISTED_PER_SECOND_TARGET:,.0f}/s",
            verdict(rate, LISTED_PER_SECOND_TARGET, at_most=False),
        ],
        [
            "  seeding (not timed): readings through submit_readings",
            f"{figure['seeded']:,} readings, 500 a batch",
            f"{_f(seed_rate)} readings/s ({figure['seed_seconds']:,.0f} s)",
            "(reported)",
            "-",
        ],
    ]


def _week_rows(figure: dict[str, Any], certificates: int) -> list[list[str]]:
    rows: list[list[str]] = []
    held = holder_layout(certificates).certificates_earned
    for key, who in (
        ("small_seller_seconds", "from a one-meter seller (2 weeks of readings)"),
        ("holder_seconds", f"from the holder of {held:,} certificates"),
    ):
        times = [float(x) for x in figure[key]]
        errors = figure.get("holder_errors", []) if key == "holder_seconds" else []
        if errors:
            rows.append(
                [
                    "7-day offer (672 intervals) bought in one buy()",
                    f"{who}; {len(errors)} of {len(errors) + len(times)} offers refused",
                    f"refused: {errors[0]}",
                    f"<= {WEEK_BUY_SECONDS_TARGET:g} s",
                    "NOT met",
                ]
            )
        if not times:
            continue
        worst = max(times)
        rows.append(
            [
                "7-day offer (672 intervals) bought in one buy()",
                f"{who}; {len(times)} offers",
                f"median {_f(percentile(times, 0.5), 2)} s, max {_f(worst, 2)} s",
                f"<= {WEEK_BUY_SECONDS_TARGET:g} s",
                verdict(worst, WEEK_BUY_SECONDS_TARGET, at_most=True),
            ]
        )
    return rows


def _billing_rows(results: P4Results) -> list[list[str]]:
    rows: list[list[str]] = []
    customer = results.figures.get("customer")
    if customer is not None:
        total = float(customer["close_seconds"]) + float(customer["settle_seconds"])
        rows.append(
            [
                "customer-month billed end to end (CloseDays x 30, Settle)",
                f"{customer['meters']} meters x {customer['intervals']:,} intervals; "
                f"{customer['inflight']} days in flight: "
                f"CloseDays {customer['close_seconds']:.2f} s "
                f"(slowest day {customer['slowest_day_seconds']:.2f} s), "
                f"Settle {customer['settle_seconds']:.2f} s",
                f"{total:.2f} s",
                f"<= {CUSTOMER_MONTH_SECONDS_TARGET:g} s",
                verdict(total, CUSTOMER_MONTH_SECONDS_TARGET, at_most=True),
            ]
        )
    consumers = results.figures.get("consumers")
    if consumers is not None:
        rows.append(_consumers_row(consumers))
    return rows


def _consumers_row(consumers: Mapping[str, Any]) -> list[str]:
    bills, seconds = int(consumers["consumers"]), float(consumers["seconds"])
    rate = bills / seconds if seconds else math.nan
    at_scale = implied_seconds(BILLS_AT_SCALE, rate) / 60
    if consumers["via"] == "runner":
        how = (
            f"gridledger billing run --once: {consumers['days_closed']:,} days closed, "
            f"{consumers['bills']:,} bills issued in {seconds:.1f} s"
        )
    else:
        how = (
            f"{consumers['per_call']} a CloseDays call, {consumers['inflight']} calls in "
            f"flight: close {consumers['close_seconds']:.1f} s, "
            f"settle {consumers['settle_seconds']:.1f} s"
        )
    return [
        "single-meter consumer-months billed",
        f"{bills:,} consumers x 30 days; {how}; {BILLS_AT_SCALE:,} would take {at_scale:,.1f} min",
        f"{_f(rate, 1)} bills/s",
        f">= {BILLS_PER_SECOND_TARGET:g} bills/s",
        verdict(rate, BILLS_PER_SECOND_TARGET, at_most=False),
    ]


def _describe(point: Mapping[str, Any] | None) -> str:
    if point is None:
        return "none within the p99 limit"
    return (
        f"{point['readings_per_second']:,.0f} ({point['inflight']} in flight, "
        f"p99 {point['p99_ms']:,.0f} ms)"
    )


def _p3_rows(results: P4Results) -> list[list[str]]:
    rows: list[list[str]] = []
    ratios: list[float] = []
    for round_number in range(1, results.options.p3_rounds + 1):
        best = {
            label: best_under([p for p in points if p["round"] == round_number], P3_P99_MS_TARGET)
            for label, points in results.p3.items()
        }
        this, base = best.get("this"), best.get("baseline")
        if this is None and base is None:
            continue
        ratio = (
            this["readings_per_second"] / base["readings_per_second"]
            if this is not None and base is not None
            else math.nan
        )
        ratios.append(ratio)
        rows.append(
            [
                f"P3 round {round_number}: best readings/s with p99 <= 3 s, this / baseline",
                f"500 a batch, 2-16 in flight; this {_describe(this)}, baseline {_describe(base)}",
                _f(ratio, 2),
                "(reported)",
                "-",
            ]
        )
    if ratios:
        mean = sum(ratios) / len(ratios)
        rows.append(
            [
                "P3 not lower than before (mean of the rounds' ratios)",
                f"{len(ratios)} rounds, both orgs endorsing",
                _f(mean, 2),
                ">= 1.0",
                verdict(mean, 1.0, at_most=False),
            ]
        )
    return rows


P4_HEADER = ["figure", "sizes", "value", "target", "verdict"]


def p4_report(results: P4Results) -> str:
    rows: list[list[str]] = []
    if "certificates" in results.figures:
        rows += _certificate_rows(results.figures["certificates"])
    if "week" in results.figures:
        rows += _week_rows(results.figures["week"], results.options.certificates)
    rows += _billing_rows(results)
    rows += _p3_rows(results)
    lines = ["## P4scale: billing and listing at a utility's size", "", render(rows, P4_HEADER), ""]
    lines += [f"- P3 {label}: {commit}" for label, commit in results.p3_commits.items()]
    lines += [f"- not run: {name}: {why}" for name, why in results.not_run.items()]
    return "\n".join(lines) + "\n"
