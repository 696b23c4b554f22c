"""P3scale: the P3 measurement on a ledger already holding N readings, N = 100,000 then 1,000,000.

The ledger is filled by bench/readings_loader.py (untimed, as fast as the network takes it),
then one P3 point (our client -> our chaincode, both orgs endorsing, a fixed in-flight count) is
measured; the next level continues on the same ledger, so only the difference is loaded.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.network import OPERATOR, REPO_ROOT, BenchNetwork
from bench.runner import PointResult, PointSpec, run_point
from bench.table import render
from bench.workloads import READINGS_BATCH

SCALE_LEVELS = (100_000, 1_000_000)
SCALE_INFLIGHT = 4
LOAD_INFLIGHT = 8
LOAD_METERS = 64
COST_GROWTH_TARGET = 1.2
CHAINCODE_ROLE = "python cc"


@dataclass(frozen=True, slots=True)
class ScalePoint:
    stored: int  # readings on the ledger when the measurement began (loaded, excluding P3's)
    load_seconds: float
    point: PointResult


def _load(network: BenchNetwork, prefix: str, readings: int, first_block: int) -> float:
    argv = [
        sys.executable,
        "-m",
        "bench.readings_loader",
        "--network",
        str(network.network_json),
        "--org",
        OPERATOR,
        "--chaincode",
        network.chaincodes["python"],
        "--prefix",
        prefix,
        "--readings",
        str(readings),
        "--batch",
        str(READINGS_BATCH),
        "--meters",
        str(LOAD_METERS),
        "--first-block",
        str(first_block),
        "--inflight",
        str(LOAD_INFLIGHT),
    ]
    done = subprocess.run(
        argv, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, check=True
    ).stdout.splitlines()
    return float(json.loads(done[-1])["seconds"])


def run_scale(
    network: BenchNetwork,
    levels: Sequence[int],
    *,
    warmup: float,
    duration: float,
    progress: Callable[[str], None],
) -> list[ScalePoint]:
    run_id = f"{int(time.time()) % 100000}"
    loaded_batches = 0
    points: list[ScalePoint] = []
    for index, level in enumerate(sorted(levels), start=1):
        wanted = level // READINGS_BATCH - loaded_batches
        first_block = math.ceil(loaded_batches / LOAD_METERS)
        progress(f"[P3scale] loading {wanted * READINGS_BATCH:,} readings to reach {level:,}")
        seconds = _load(network, f"{run_id}L{index}-", wanted * READINGS_BATCH, first_block)
        loaded_batches += wanted
        progress(
            f"[P3scale] loaded in {seconds:,.0f} s "
            f"({wanted * READINGS_BATCH / seconds:,.0f} readings/s); measuring"
        )
        point = run_point(
            network,
            PointSpec("python", "python", "readings", SCALE_INFLIGHT),
            warmup=warmup,
            duration=duration,
            prefix=f"{run_id}S{index}-",
            log_dir=network.home / "logs",
        )
        progress(
            f"[P3scale] {level:,} stored: {point.items_per_second:,.0f} readings/s, "
            f"p99 {point.percentile_ms(0.99):,.0f} ms"
            + (f", {point.failed} failed ({point.first_error})" if point.failed else "")
        )
        points.append(ScalePoint(loaded_batches * READINGS_BATCH, seconds, point))
    return points


def _per_reading(point: PointResult, role: str) -> float:
    readings = point.ok * READINGS_BATCH
    if not readings or role not in point.cpu_seconds:
        return float("nan")
    return point.cpu_seconds[role] * 1000.0 / readings


SCALE_HEADER = [
    "stored readings",
    "load s",
    f"P3 in flight ({READINGS_BATCH}/tx)",
    "readings/s",
    "p50 ms",
    "p99 ms",
    "CPU ms/reading devnet",
    "chaincode",
    "devnet+chaincode",
    "failed",
]


def _total(point: PointResult) -> float:
    return _per_reading(point, "devnet") + _per_reading(point, CHAINCODE_ROLE)


def scale_report(points: Sequence[ScalePoint]) -> str:
    rows = [
        [
            f"{p.stored:,}",
            f"{p.load_seconds:,.0f}",
            str(SCALE_INFLIGHT),
            f"{p.point.items_per_second:,.0f}",
            f"{p.point.percentile_ms(0.5):,.0f}",
            f"{p.point.percentile_ms(0.99):,.0f}",
            f"{_per_reading(p.point, 'devnet'):.3f}",
            f"{_per_reading(p.point, CHAINCODE_ROLE):.3f}",
            f"{_total(p.point):.3f}",
            str(p.point.failed),
        ]
        for p in points
    ]
    text = render(rows, SCALE_HEADER)
    if len(points) >= 2:
        low, high = points[0], points[-1]
        ratio = _total(high.point) / _total(low.point)
        chaincode = _per_reading(high.point, CHAINCODE_ROLE) / _per_reading(
            low.point, CHAINCODE_ROLE
        )
        devnet = _per_reading(high.point, "devnet") / _per_reading(low.point, "devnet")
        verdict = "met" if ratio <= COST_GROWTH_TARGET else "NOT met"
        text += "\n\n" + render(
            [
                [
                    f"CPU ms/reading {high.stored:,} / {low.stored:,} stored (devnet+chaincode)",
                    f"{ratio:.2f}",
                    f"<= {COST_GROWTH_TARGET}",
                    verdict,
                ],
                [
                    "  of which chaincode / devnet alone",
                    f"{chaincode:.2f} / {devnet:.2f}",
                    "(reported)",
                    "-",
                ],
            ],
            ["ratio (same run, same ledger)", "value", "target", "verdict"],
        )
    return text + "\n"
