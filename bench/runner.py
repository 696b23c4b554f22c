"""Run one measurement point: one worker process, one workload, one in-flight count.

The worker (bench/python_worker.py or bench/node/worker.mjs) prints ``ready``, ``start``,
``end`` and ``result`` lines; at ``start`` and ``end`` every process of the network and the
worker itself is sampled from /proc, so CPU time covers exactly the measurement window.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridledger_domain.errors import GridLedgerError

from bench.network import OPERATOR, REPO_ROOT, BenchNetwork
from bench.procstat import cpu_seconds, peak_rss_bytes, reset_peak_rss
from bench.workloads import WORKLOADS

NODE_WORKER = REPO_ROOT / "bench" / "node" / "worker.mjs"
WORKER_HANG_GUARD_SECONDS = 600.0
CLIENT_ROLE = "client"


class WorkerError(GridLedgerError):
    """A worker exited without a result; the message has its stderr."""


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (``nan`` when there are none)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


@dataclass(frozen=True, slots=True)
class PointSpec:
    client: str  # "python" | "node"
    chaincode: str  # "python" | "node"
    workload: str
    inflight: int


@dataclass
class PointResult:
    spec: PointSpec
    ok: int
    failed: int
    window_seconds: float
    latencies_ms: list[float]
    cpu_seconds: dict[str, float]  # role -> CPU seconds in the window
    peak_rss: dict[str, int]  # role -> bytes
    first_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tx_per_second(self) -> float:
        return self.ok / self.window_seconds if self.window_seconds else 0.0

    @property
    def items_per_second(self) -> float:
        return self.tx_per_second * WORKLOADS[self.spec.workload].items_per_tx

    def percentile_ms(self, fraction: float) -> float:
        return percentile(self.latencies_ms, fraction)

    def cpu_ms_per_tx(self, role: str) -> float:
        if not self.ok or role not in self.cpu_seconds:
            return float("nan")
        return self.cpu_seconds[role] * 1000.0 / self.ok


def _worker_argv(network: BenchNetwork, spec: PointSpec, options: dict[str, str]) -> list[str]:
    common = [
        "--network",
        str(network.network_json),
        "--org",
        OPERATOR,
        "--chaincode",
        network.chaincodes[spec.chaincode],
        "--workload",
        spec.workload,
        "--inflight",
        str(spec.inflight),
    ]
    common += [item for key, value in options.items() for item in (f"--{key}", value)]
    if spec.workload == "readings":
        return [sys.executable, "-m", "bench.readings_worker", *common]
    if spec.workload == "settle":
        return [sys.executable, "-m", "bench.settlement_worker", *common]
    if spec.client == "python":
        return [sys.executable, "-m", "bench.python_worker", *common]
    node = shutil.which("node")
    if node is None:
        raise WorkerError("node is not on PATH")
    return [node, str(NODE_WORKER), *common]


def run_point(
    network: BenchNetwork,
    spec: PointSpec,
    *,
    warmup: float,
    duration: float,
    prefix: str,
    log_dir: Path,
    extra: dict[str, str] | None = None,
) -> PointResult:
    options = {"warmup": f"{warmup}", "duration": f"{duration}", "prefix": prefix}
    options |= extra or {}
    argv = _worker_argv(network, spec, options)
    log_dir.mkdir(parents=True, exist_ok=True)
    stderr_path = log_dir / f"worker-{spec.client}-{spec.chaincode}-{spec.workload}.log"
    with stderr_path.open("ab") as stderr:
        worker = subprocess.Popen(
            argv,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    roles = dict(network.processes) | {CLIENT_ROLE: worker.pid}
    at_start: dict[str, float] = {}
    at_end: dict[str, float] = {}
    peak: dict[str, int] = {}
    result: dict[str, Any] | None = None
    try:
        assert worker.stdout is not None
        for line in worker.stdout:
            if not line.startswith("{"):
                continue
            message = json.loads(line)
            event = message.get("event")
            if event == "start":
                for pid in roles.values():
                    reset_peak_rss(pid)
                at_start = {role: cpu_seconds(pid) for role, pid in roles.items()}
            elif event == "end":
                at_end = {role: cpu_seconds(pid) for role, pid in roles.items()}
                peak = {role: peak_rss_bytes(pid) for role, pid in roles.items()}
            elif event == "result":
                result = message
        worker.wait(WORKER_HANG_GUARD_SECONDS)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    if result is None or not at_end:
        tail = stderr_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise WorkerError(f"{spec} ended (exit {worker.returncode}) without a result:\n{tail}")
    return PointResult(
        spec=spec,
        ok=int(result["ok"]),
        failed=int(result["failed"]),
        window_seconds=float(result["window_seconds"]),
        latencies_ms=[float(x) for x in result["latencies_ms"]],
        cpu_seconds={role: at_end[role] - at_start[role] for role in roles},
        peak_rss=peak,
        first_error=result.get("first_error"),
    )
