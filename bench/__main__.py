"""``python -m bench``: bring up the network, run the suites, print the table and the ratios.

    python -m bench                      # devnet, P0-P2, 10 s per point, ladder up to 512
    python -m bench --duration 5 --suites P1
    python -m bench --smoke              # a few seconds: one point per client, no ladder
    python -m bench --fabric             # also P0 on real Fabric when its binaries are found
    python -m bench --fabric --suites P3 --fabric-orgs 3 --fabric-peers 2   # P3 on both
    python -m bench --suites P4scale --p4-items customer --fabric   # the customer-month on both
    python -m bench --suites P3scale     # P3 on a ledger holding 100,000 then 1,000,000 readings
    python -m bench --suites P3scale --scale-levels 100000,300000
    python -m bench --suites P4scale --certificates 1000000 --p3-baseline ../wt-base
    python -m bench --suites portal      # the market portal over HTTP (bench/portal.py)
    python -m bench --smoke --suites portal
    python -m bench --suites ingest      # MQTT publish -> commit (--ingest-duration 600: 10 min)

Progress goes to stderr, one line per point; the table goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from gridledger_domain.command import run_command

from bench.fabric_layout import FabricLayout, LayoutError
from bench.fabric_network import start_fabric_network
from bench.ingest import run_ingest_suite
from bench.network import (
    SETTLEMENT_CONSUMERS,
    BenchNetwork,
    node_available,
    start_devnet_network,
)
from bench.p4scale import P4Options, P4Results, p4_report, run_p3_versions, run_p4scale
from bench.portal import PortalPlan, portal_report, run_portal_suite
from bench.runner import PointResult, PointSpec, run_point
from bench.saturation import Ladder, climb
from bench.scale import SCALE_LEVELS, ScalePoint, run_scale, scale_report
from bench.suites import Config, configs, pending_rows
from bench.table import RATIO_HEADER, fabric_ratio_rows, measurement_rows, ratio_rows, render

SMOKE_INFLIGHT = 4
READINGS_START_INFLIGHT = 2  # batches of 500 readings: 2 in flight is already 1,000 readings
READINGS_MAX_INFLIGHT = 16
SETTLE_INFLIGHT = 4


def _progress(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in (
            Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace").splitlines()
        ):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"
    )


def fabric_note() -> str:
    """Whether real Fabric can be run here, and if not, why."""
    try:
        from gridledger_network.fabric import find_binaries

        binaries = find_binaries()
    except Exception as exc:  # missing module or binaries: say so
        return f"real Fabric not run: {exc}"
    return f"real Fabric {binaries.version()}, binaries found through {binaries.origin}"


def run_suites(
    network: BenchNetwork, args: argparse.Namespace, chosen: list[Config] | None = None
) -> dict[Config, Ladder]:
    if chosen is None:
        chosen = configs(set(args.suites.split(",")), with_node="node" in network.chaincodes)
    ladders: dict[Config, Ladder] = {}
    run_id = f"{int(time.time()) % 100000}"
    points_run = [0]
    for index, config in enumerate(chosen, start=1):

        def measure(inflight: int, config: Config = config, index: int = index) -> PointResult:
            spec = PointSpec(config.client, config.chaincode, config.workload, inflight)
            # a fresh key space for put; set-up keys (addto, range) are shared between points
            fresh = f"{config.client[0]}{run_id}-{inflight}-" if config.workload == "put" else ""
            prefix = f"b{config.client[0]}{fresh}"
            extra = None
            if config.workload == "readings":
                prefix = f"{run_id}-"
                points_run[0] += 1
                extra = {"first-block": str(100 * points_run[0])}
                if network.lanes:
                    extra["lanes"] = network.lanes
            elif config.workload == "settle":  # consumers 0-3 one by one, then 4-11 by four
                first, count = (0, 4) if inflight == 1 else (4, SETTLEMENT_CONSUMERS - 4)
                extra = {"first": str(first), "count": str(count)}
            point = run_point(
                network,
                spec,
                warmup=args.warmup,
                duration=args.duration,
                prefix=prefix,
                log_dir=network.home / "logs",
                extra=extra,
            )
            _progress(
                f"[{network.kind} {index}/{len(chosen)}] {config.workload:6} {config.label:28} "
                f"in flight {inflight:4}: {point.tx_per_second:8.1f} tx/s, "
                f"p99 {point.percentile_ms(0.99):,.0f} ms"
                + (f", {point.failed} failed ({point.first_error})" if point.failed else "")
            )
            return point

        if config.workload == "settle":
            one = measure(1)
            several = one if args.smoke else measure(SETTLE_INFLIGHT)
            ladders[config] = Ladder(one, several, [one, several])
            continue
        readings = config.workload == "readings"
        ladders[config] = climb(
            measure,
            max_inflight=READINGS_MAX_INFLIGHT if readings else args.max_inflight,
            climb=not args.smoke,
            start=SMOKE_INFLIGHT if args.smoke else (READINGS_START_INFLIGHT if readings else 32),
        )
    return ladders


def _network_roles(network: BenchNetwork) -> list[str]:
    return [role for role in network.processes if not role.endswith(" cc")]


def report(
    network: BenchNetwork,
    ladders: dict[Config, Ladder],
    args: argparse.Namespace,
    fabric: tuple[BenchNetwork, dict[Config, Ladder]] | str | None = None,
    scale: list[ScalePoint] | None = None,
    p4: P4Results | None = None,
) -> str:
    roles = _network_roles(network)
    lines = [
        f"# GridLedger benchmark ({network.kind})",
        "",
        f"- machine: {machine()}; load average before the run: {args.load_before}",
        f"- command: python -m bench {' '.join(sys.argv[1:])}".rstrip(),
        f"- network: {network.kind}, {network.layout}, {network.block_cutting.describe()}",
        f"- each point: {args.warmup:g} s warm-up, then {args.duration:g} s measured; "
        "CPU and peak RSS from /proc per process over the measured window; "
        "'network' = the devnet process (or Fabric's orderer and peers)",
        f"- {fabric_note()}",
        "",
    ]
    if ladders or not (scale or p4):
        lines += [
            render(measurement_rows(ladders, roles)),
            "",
            render(ratio_rows(ladders, roles), RATIO_HEADER),
            "",
        ]
    if isinstance(fabric, str):
        lines += [f"- real Fabric: {fabric}", ""]
    elif fabric is not None:
        fabric_network, fabric_ladders = fabric
        fabric_roles = _network_roles(fabric_network)
        lines += [
            f"## Side by side: real {fabric_network.kind} "
            f"({fabric_network.block_cutting.describe()}; network = {', '.join(fabric_roles)})",
            "",
            f"- layout: {fabric_network.layout}"
            + (
                f"; P3 readings spread over the gateways of {fabric_network.lanes}"
                if fabric_network.lanes
                else ""
            ),
            "",
            render(measurement_rows(fabric_ladders, fabric_roles)),
            "",
            render(
                fabric_ratio_rows(
                    ladders, roles, fabric_ladders, fabric_roles, fabric_network.layout
                ),
                RATIO_HEADER,
            ),
            "",
        ]
    if scale:
        lines += [
            "## P3scale: P3 on a ledger already holding readings (same ledger, levels in order)",
            "",
            scale_report(scale),
        ]
    if p4 is not None:
        lines += [p4_report(p4)]
    lines += [f"- {name}: {why}" for name, why in pending_rows(scale_run=bool(scale or p4))]
    return "\n".join(lines) + "\n"


def fabric_configs(suites: set[str]) -> list[Config]:
    """What runs on real Fabric: P3's readings (both orgs endorsing) when P3 is chosen, P0's put
    (Node client -> our chaincode) when P0 is chosen or nothing else is."""
    chosen = [Config("python", "python", "readings")] if "P3" in suites else []
    if "P0" in suites or not chosen:
        chosen.insert(0, Config("node", "python", "put"))
    return chosen


def run_fabric(
    args: argparse.Namespace, scratch: Path
) -> tuple[BenchNetwork, dict[Config, Ladder]] | str:
    """P0 and P3 on real Fabric (``fabric_configs``), or why it did not run."""
    layout = fabric_layout(args)
    _progress(f"starting real Fabric, {layout.describe()} (about 30 s or more)")
    try:
        network = start_fabric_network(scratch / "fabric", layout)
    except Exception as exc:  # binaries missing or bring-up failed: reported, not fatal
        return f"not run: {type(exc).__name__}: {str(exc)[:300]}"
    try:
        return network, run_suites(network, args, fabric_configs(set(args.suites.split(","))))
    finally:
        network.stop()


def fabric_layout(args: argparse.Namespace) -> FabricLayout:
    return FabricLayout(args.fabric_orgs, args.fabric_peers)


def run_p4scale_on_fabric(args: argparse.Namespace, scratch: Path) -> str:
    """P4scale's customer-month on real Fabric (with ``--fabric``): its report section."""
    _progress("starting real Fabric for P4scale's customer-month")
    try:
        network = start_fabric_network(scratch / "fabric-p4")
    except Exception as exc:  # binaries missing or bring-up failed: reported, not fatal
        return f"\n- P4scale on real Fabric not run: {type(exc).__name__}: {str(exc)[:300]}\n"
    try:
        options = replace(_p4_options(args), items=("customer",))
        results = run_p4scale(network, options, progress=_progress)
    finally:
        network.stop()
    return "\n" + p4_report(results).replace("## P4scale:", "## P4scale on real Fabric:", 1)


def _p4_options(args: argparse.Namespace) -> P4Options:
    return P4Options(
        certificates=args.certificates,
        customer_meters=args.customer_meters,
        consumers=args.consumers,
        per_call=args.per_call,
        calls_in_flight=args.calls_in_flight,
        consumers_via=args.consumers_via,
        items=tuple(args.p4_items.split(",")),
        p3_baseline=args.p3_baseline,
        p3_rounds=args.p3_rounds,
        p3_warmup=args.warmup,
        p3_duration=args.duration,
        prefix=f"{int(time.time()) % 100000}-",
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--suites",
        default="P0,P1,P2,P3,P4",
        help="comma-separated, of P0-P4, and P3scale, P4scale, portal, ingest (not in the "
        "default), or smoke",
    )
    parser.add_argument(
        "--ingest-duration", type=float, default=10.0, help="ingest: seconds (0: no MQTT run)"
    )
    parser.add_argument("--ingest-rate", type=float, default=1111.0, help="ingest: readings/s")
    parser.add_argument("--ingest-meters", type=int, default=200, help="ingest: meters")
    parser.add_argument(
        "--ingest-batch", default="1000", help="ingest: bridge batch (comma-separated: each)"
    )
    parser.add_argument(
        "--ingest-lanes", default="", help="ingest: bridge lanes (comma-separated: each)"
    )
    parser.add_argument(
        "--greenbutton-points",
        type=int,
        default=10,
        help="ingest: Green Button usage points (0: none)",
    )
    parser.add_argument(
        "--greenbutton-days", type=int, default=30, help="ingest: Green Button days of hourly data"
    )
    parser.add_argument(
        "--greenbutton-batch", default="500", help="ingest: Green Button batch (comma-separated)"
    )
    parser.add_argument(
        "--greenbutton-in-flight", default="4", help="ingest: Green Button in flight (comma-sep.)"
    )
    defaults = P4Options()
    parser.add_argument(
        "--certificates",
        type=int,
        default=defaults.certificates,
        help="P4scale: certificates the holder lists (seeded first through the client)",
    )
    parser.add_argument("--customer-meters", type=int, default=defaults.customer_meters)
    parser.add_argument(
        "--consumers",
        type=int,
        default=defaults.consumers,
        help="P4scale: single-meter consumer-months billed",
    )
    parser.add_argument(
        "--per-call", type=int, default=defaults.per_call, help="P4scale: CloseDays batch"
    )
    parser.add_argument("--calls-in-flight", type=int, default=defaults.calls_in_flight)
    parser.add_argument(
        "--consumers-via",
        choices=("runner", "calls"),
        default=defaults.consumers_via,
        help="P4scale: bill the consumers with `gridledger billing run --once` or direct calls",
    )
    parser.add_argument(
        "--p3-baseline",
        type=Path,
        help="P4scale: a checkout (with its .venv) whose P3 is measured beside this one's",
    )
    parser.add_argument("--p3-rounds", type=int, default=defaults.p3_rounds)
    parser.add_argument(
        "--p4-items",
        default=",".join(defaults.items),
        help="P4scale: which of its items to run (default all)",
    )
    parser.add_argument(
        "--scale-levels",
        default=",".join(str(n) for n in SCALE_LEVELS),
        help="P3scale: stored readings before each measurement, ascending (default 100000,1000000)",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per point")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per point")
    parser.add_argument("--max-inflight", type=int, default=512)
    parser.add_argument("--smoke", action="store_true", help="one short point per configuration")
    parser.add_argument("--home", type=Path, help="network home (default: a temporary folder)")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    parser.add_argument(
        "--fabric",
        action="store_true",
        help="also run P0 (and P3 when chosen), and P4scale's customer-month, on real Fabric "
        "(binaries needed)",
    )
    parser.add_argument(
        "--fabric-orgs",
        type=int,
        default=2,
        help="with --fabric: peer organisations of the real network (2-4; default 2)",
    )
    parser.add_argument(
        "--fabric-peers",
        type=int,
        default=1,
        help="with --fabric: peers per organisation (1-4; default 1)",
    )
    args = parser.parse_args()
    try:
        fabric_layout(args)
    except LayoutError as exc:
        parser.error(str(exc))
    args.load_before = " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    if args.smoke:
        args.duration, args.warmup = min(args.duration, 1.0), min(args.warmup, 0.5)
        if args.suites == parser.get_default("suites"):
            args.suites = "smoke"
    suites = args.suites.split(",")
    with tempfile.TemporaryDirectory(prefix="gridledger-bench-") as scratch:
        portal_text = ""
        if "portal" in suites:
            plan = PortalPlan.smoke() if args.smoke else PortalPlan()
            portal_result = run_portal_suite(Path(scratch), plan, _progress)
            portal_text = portal_report(
                portal_result,
                f"python -m bench {' '.join(sys.argv[1:])}",
                f"{machine()}; load average before the run: {args.load_before}",
            )
            if suites == ["portal"]:  # no benchmark network needed
                sys.stdout.write(portal_text)
                if args.output:
                    args.output.write_text(portal_text, encoding="utf-8")
                return 0
        home = args.home or Path(scratch) / "devnet"
        with_node = node_available()
        _progress(
            f"starting the devnet in {home}" + ("" if with_node else " (no Node: Python only)")
        )
        network = start_devnet_network(home, with_node=with_node)
        scale: list[ScalePoint] | None = None
        p4: P4Results | None = None
        ingest_text = ""
        try:
            ladders = run_suites(network, args)
            if "P3scale" in args.suites.split(","):
                levels = [int(n) for n in args.scale_levels.split(",")]
                scale = run_scale(
                    network, levels, warmup=args.warmup, duration=args.duration, progress=_progress
                )
            if "P4scale" in args.suites.split(","):
                p4 = run_p4scale(network, _p4_options(args), progress=_progress)
            if "ingest" in args.suites.split(","):
                ingest_text = run_ingest_suite(network, args, _progress)
        finally:
            network.stop()
        if p4 is not None:
            run_p3_versions(p4, Path(scratch), progress=_progress)
        fabric = run_fabric(args, Path(scratch)) if args.fabric else None
        text = report(network, ladders, args, fabric, scale, p4)
        if ingest_text:
            text += "\n" + ingest_text
        if p4 is not None and args.fabric:
            text += run_p4scale_on_fabric(args, Path(scratch))
        if portal_text:
            text += "\n" + portal_text
    sys.stdout.write(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(run_command("bench", main))
