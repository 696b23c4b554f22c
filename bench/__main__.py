"""``python -m bench``: bring up the network, run the suites, print the table and the ratios.

    python -m bench                      # devnet, P0-P2, 10 s per point, ladder up to 512
    python -m bench --duration 5 --suites P1
    python -m bench --smoke              # a few seconds: one point per client, no ladder
    python -m bench --fabric             # also P0 on real Fabric when its binaries are found

Progress goes to stderr, one line per point; the table goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from bench.network import BenchNetwork, node_available, start_devnet_network
from bench.runner import PointResult, PointSpec, run_point
from bench.saturation import Ladder, climb
from bench.suites import Config, configs, pending_rows
from bench.table import RATIO_HEADER, measurement_rows, ratio_rows, render

SMOKE_INFLIGHT = 4


def _progress(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"


def fabric_note() -> str:
    """Whether real Fabric can be run, and if not why (the option is wired, the bring-up may not)."""
    try:
        from gridledger_network.fabric import find_binaries  # type: ignore[attr-defined]

        binaries = find_binaries()
    except Exception as exc:  # missing module or binaries: say so
        return f"real Fabric not run: {exc}"
    return f"real Fabric binaries found in {binaries.bin_dir}"


def run_suites(network: BenchNetwork, args: argparse.Namespace) -> dict[Config, Ladder]:
    chosen = configs(set(args.suites.split(",")), with_node="node" in network.chaincodes)
    ladders: dict[Config, Ladder] = {}
    run_id = f"{int(time.time()) % 100000}"
    for index, config in enumerate(chosen, start=1):

        def measure(inflight: int, config: Config = config, index: int = index) -> PointResult:
            spec = PointSpec(config.client, config.chaincode, config.workload, inflight)
            # a fresh key space for put; set-up keys (addto, range) are shared between points
            fresh = f"{config.client[0]}{run_id}-{inflight}-" if config.workload == "put" else ""
            prefix = f"b{config.client[0]}{fresh}"
            point = run_point(
                network,
                spec,
                warmup=args.warmup,
                duration=args.duration,
                prefix=prefix,
                log_dir=network.home / "logs",
            )
            _progress(
                f"[{index}/{len(chosen)}] {config.workload:6} {config.label:28} "
                f"in flight {inflight:4}: {point.tx_per_second:8.1f} tx/s"
                + (f", {point.failed} failed ({point.first_error})" if point.failed else "")
            )
            return point

        ladders[config] = climb(
            measure,
            max_inflight=args.max_inflight,
            climb=not args.smoke,
            start=SMOKE_INFLIGHT if args.smoke else 32,
        )
    return ladders


def report(network: BenchNetwork, ladders: dict[Config, Ladder], args: argparse.Namespace) -> str:
    roles = ["devnet"] if network.kind == "devnet" else [r for r in network.processes if "cc" not in r]
    lines = [
        f"# GridLedger benchmark ({network.kind})",
        "",
        f"- machine: {machine()}",
        f"- command: python -m bench {' '.join(sys.argv[1:])}".rstrip(),
        f"- network: {network.kind}, 2 orgs, endorsement AND(both peers), "
        f"{network.block_cutting.describe()}",
        f"- each point: {args.warmup:g} s warm-up, then {args.duration:g} s measured; "
        "CPU and peak RSS from /proc per process over the measured window",
        f"- {fabric_note()}",
        "",
        render(measurement_rows(ladders, roles)),
        "",
        render(ratio_rows(ladders, roles), RATIO_HEADER),
        "",
    ]
    lines += [f"- {name}: {why}" for name, why in pending_rows()]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suites", default="P0,P1,P2", help="comma-separated, of P0,P1,P2")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per point")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per point")
    parser.add_argument("--max-inflight", type=int, default=512)
    parser.add_argument("--smoke", action="store_true", help="one short point per configuration")
    parser.add_argument("--home", type=Path, help="network home (default: a temporary folder)")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.warmup = min(args.duration, 1.0), min(args.warmup, 0.5)
        if args.suites == parser.get_default("suites"):
            args.suites = "smoke"
    with tempfile.TemporaryDirectory(prefix="gridledger-bench-") as scratch:
        home = args.home or Path(scratch) / "devnet"
        with_node = node_available()
        _progress(f"starting the devnet in {home}" + ("" if with_node else " (no Node: Python only)"))
        network = start_devnet_network(home, with_node=with_node)
        try:
            ladders = run_suites(network, args)
        finally:
            network.stop()
        text = report(network, ladders, args)
    sys.stdout.write(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
