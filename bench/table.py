"""The printed table and the ratios, from the measured points."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from bench.runner import CLIENT_ROLE, PointResult
from bench.saturation import Ladder
from bench.suites import Config
from bench.workloads import WORKLOADS

MB = 1024 * 1024
CHAINCODE_ROLE = {"python": "python cc", "python-utility": "python cc", "node": "node cc"}
P3_P99_MS = 3000.0


def _fmt(value: float, digits: int = 1) -> str:
    return "-" if math.isnan(value) else f"{value:,.{digits}f}"


def _row(config: Config, point: PointResult, tag: str, network_roles: Sequence[str]) -> list[str]:
    cc_role = CHAINCODE_ROLE[config.chaincode]
    network_cpu = sum(point.cpu_ms_per_tx(r) for r in network_roles if r in point.cpu_seconds)
    total_cpu = sum(point.cpu_ms_per_tx(r) for r in (*network_roles, cc_role, CLIENT_ROLE))
    rss = [point.peak_rss.get(r, 0) / MB for r in (*network_roles, cc_role, CLIENT_ROLE)]
    return [
        WORKLOADS[config.workload].title,
        config.label,
        f"{tag}{point.spec.inflight}",
        _fmt(point.tx_per_second),
        _fmt(point.items_per_second, 0),
        _fmt(point.percentile_ms(0.50), 0),
        _fmt(point.percentile_ms(0.99), 0),
        _fmt(network_cpu, 2),
        _fmt(point.cpu_ms_per_tx(cc_role), 2),
        _fmt(point.cpu_ms_per_tx(CLIENT_ROLE), 2),
        _fmt(total_cpu, 2),
        " / ".join(f"{mb:.0f}" for mb in rss),
        str(point.failed),
    ]


HEADER = [
    "workload",
    "client -> chaincode",
    "in flight",
    "tx/s",
    "items/s",
    "p50 ms",
    "p99 ms",
    "CPU ms/tx network",
    "chaincode",
    "client",
    "total",
    "peak RSS MB net/cc/client",
    "failed",
]


def render(rows: Iterable[Sequence[str]], header: Sequence[str] = HEADER) -> str:
    """A Markdown table (readable as plain text too)."""
    body = [list(header), *[list(r) for r in rows]]
    widths = [max(len(r[i]) for r in body) for i in range(len(header))]
    lines = []
    for index, row in enumerate(body):
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
        if index == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def measurement_rows(
    ladders: dict[Config, Ladder], network_roles: Sequence[str]
) -> list[list[str]]:
    rows = []
    for config, ladder in ladders.items():
        rows.append(_row(config, ladder.latency, "", network_roles))
        if ladder.saturation is not ladder.latency:
            rows.append(_row(config, ladder.saturation, "sat ", network_roles))
        elif len(ladder.steps) > 1:
            rows.append(_row(config, ladder.steps[-1], "sat? ", network_roles))
    return rows


def _ratio(numerator: float, denominator: float) -> float:
    if denominator == 0 or math.isnan(numerator) or math.isnan(denominator):
        return float("nan")
    return numerator / denominator


def verdict(value: float, target: float, *, at_most: bool) -> str:
    if math.isnan(value):
        return "n/a"
    met = value <= target if at_most else value >= target
    return "met" if met else "NOT met"


def _python_over_node(
    name: str,
    what: str,
    ours: Ladder,
    theirs: Ladder,
    roles: tuple[str, str],
    cpu_at_most: float,
    tps_at_least: float,
) -> list[list[str]]:
    """``what``'s CPU per transaction (``roles``: ours, theirs) and tx/s at saturation, as
    Python over Node ratios with their targets."""
    cpu = _ratio(ours.saturation.cpu_ms_per_tx(roles[0]), theirs.saturation.cpu_ms_per_tx(roles[1]))
    tps = _ratio(ours.saturation.tx_per_second, theirs.saturation.tx_per_second)
    return [
        [
            f"{name}: {what} CPU/tx Python/Node",
            _fmt(cpu, 2),
            f"<= {cpu_at_most}",
            verdict(cpu, cpu_at_most, at_most=True),
        ],
        [
            f"{name}: tx/s at sat Python/Node",
            _fmt(tps, 2),
            f">= {tps_at_least}",
            verdict(tps, tps_at_least, at_most=False),
        ],
    ]


def p3_best(ladder: Ladder) -> PointResult:
    """P3's target is throughput *with* p99 <= 3 s: the best point of the ladder keeping it (the
    saturation point when none does)."""
    within = [p for p in ladder.steps if p.percentile_ms(0.99) <= P3_P99_MS]
    return max(within, key=lambda p: p.items_per_second) if within else ladder.saturation


def _p3_point(point: PointResult) -> str:
    return (
        f"{_fmt(point.items_per_second, 0)} ({point.spec.inflight} in flight, "
        f"p99 {_fmt(point.percentile_ms(0.99), 0)} ms)"
    )


def ratio_rows(ladders: dict[Config, Ladder], network_roles: Sequence[str]) -> list[list[str]]:
    """Ratios between configurations measured in this run, each with its target."""
    rows: list[list[str]] = []

    def find(client: str, chaincode: str, workload: str) -> Ladder | None:
        return ladders.get(Config(client, chaincode, workload))

    p0 = find("node", "node", "put")
    if p0 is not None:
        sat = p0.saturation
        devnet_cpu = sum(sat.cpu_ms_per_tx(r) for r in network_roles)
        rows.append(
            [
                "P0 network CPU ms/tx (Node->Node put, sat)",
                _fmt(devnet_cpu, 2),
                "<= 3.75 (half of Fabric peers+orderer 7.5)",
                verdict(devnet_cpu, 3.75, at_most=True),
            ]
        )
        rows.append(
            [
                "P0 tx/s at saturation (Node->Node put)",
                _fmt(sat.tx_per_second),
                ">= Fabric 3.1.5 (97-137 on this machine class)",
                verdict(sat.tx_per_second, 137.0, at_most=False),
            ]
        )
    for workload in WORKLOADS:
        ours, theirs = find("node", "python", workload), find("node", "node", workload)
        if ours is not None and theirs is not None:
            rows += _python_over_node(
                f"P1 {workload}", "chaincode", ours, theirs, ("python cc", "node cc"), 1.1, 0.9
            )
    for chaincode, policy in (("python", "both orgs"), ("python-utility", "utility only")):
        p3 = find("python", chaincode, "readings")
        if p3 is None:
            continue
        best = p3_best(p3)
        p99 = best.percentile_ms(0.99)
        rows.append(
            [
                f"P3 ({policy} endorse) signed readings/s, best point with p99 <= 3 s "
                f"({best.spec.inflight} in flight)",
                _fmt(best.items_per_second, 0),
                ">= 2,500" if chaincode == "python" else "(reported)",
                verdict(best.items_per_second, 2500.0, at_most=False),
            ]
        )
        rows.append(
            [
                f"P3 ({policy} endorse) p99 commit latency of a batch (ms, same point)",
                _fmt(p99, 0),
                "<= 3,000",
                verdict(p99, P3_P99_MS, at_most=True),
            ]
        )
    p4 = find("python", "python", "settle")
    if p4 is not None:
        one = p4.latency.percentile_ms(0.50) / 1000.0
        rows.append(
            [
                "P4 seconds per consumer-month settled (1 in flight, p50)",
                _fmt(one, 2),
                "<= 1.0",
                verdict(one, 1.0, at_most=True),
            ]
        )
        rows.append(
            [
                f"P4 consumer-months settled per second ({p4.saturation.spec.inflight} in flight)",
                _fmt(p4.saturation.tx_per_second, 2),
                "(reported)",
                "-",
            ]
        )
    peaks = [
        point.peak_rss.get("python cc", 0) / MB
        for ladder in ladders.values()
        for point in ladder.steps
    ]
    if peaks:
        rows.append(
            [
                "Python chaincode server peak RSS (MB, any point)",
                _fmt(max(peaks), 0),
                "< 150",
                verdict(max(peaks), 150.0, at_most=True),
            ]
        )
    for workload in WORKLOADS:
        ours, theirs = find("python", "node", workload), find("node", "node", workload)
        if ours is not None and theirs is not None:
            rows += _python_over_node(
                f"P2 {workload}", "client", ours, theirs, (CLIENT_ROLE, CLIENT_ROLE), 1.0, 1.0
            )
    return rows


RATIO_HEADER = ["ratio (same run)", "value", "target", "verdict"]


def fabric_ratio_rows(
    devnet: dict[Config, Ladder],
    devnet_roles: Sequence[str],
    fabric: dict[Config, Ladder],
    fabric_roles: Sequence[str],
    layout: str = "",
) -> list[list[str]]:
    """P0 and P3 side by side: the devnet against real Fabric, same client, chaincode, workload."""
    return _p0_fabric_rows(devnet, devnet_roles, fabric, fabric_roles) + _p3_fabric_rows(
        devnet, fabric, layout
    )


def _p3_fabric_rows(
    devnet: dict[Config, Ladder], fabric: dict[Config, Ladder], layout: str
) -> list[list[str]]:
    config = Config("python", "python", "readings")
    theirs = fabric.get(config)
    if theirs is None:
        return []
    best = p3_best(theirs)
    where = f" ({layout})" if layout else ""
    rows = [
        [
            f"P3 real Fabric{where} signed readings/s, best point with p99 <= 3 s",
            _p3_point(best),
            ">= 2,500 at p99 <= 3,000 ms",
            "met"
            if best.items_per_second >= 2500.0 and best.percentile_ms(0.99) <= P3_P99_MS
            else "NOT met",
        ]
    ]
    ours = devnet.get(config)
    if ours is not None:
        mine = p3_best(ours)
        rows.append(
            [
                "P3 devnet / Fabric signed readings/s (each its best point with p99 <= 3 s)",
                f"{_p3_point(mine)} / {_fmt(best.items_per_second, 0)} = "
                f"{_fmt(_ratio(mine.items_per_second, best.items_per_second), 2)}",
                "(reported)",
                "-",
            ]
        )
    return rows


def _p0_fabric_rows(
    devnet: dict[Config, Ladder],
    devnet_roles: Sequence[str],
    fabric: dict[Config, Ladder],
    fabric_roles: Sequence[str],
) -> list[list[str]]:
    config = Config("node", "python", "put")
    ours, theirs = devnet.get(config), fabric.get(config)
    if ours is None or theirs is None:
        return []
    ours_cpu = sum(ours.saturation.cpu_ms_per_tx(r) for r in devnet_roles)
    theirs_cpu = sum(theirs.saturation.cpu_ms_per_tx(r) for r in fabric_roles)
    cpu = _ratio(ours_cpu, theirs_cpu)
    tps = _ratio(ours.saturation.tx_per_second, theirs.saturation.tx_per_second)
    return [
        [
            "P0 devnet/Fabric network CPU ms/tx (Node->Python put, sat)",
            f"{_fmt(ours_cpu, 2)} / {_fmt(theirs_cpu, 2)} = {_fmt(cpu, 2)}",
            "<= 0.5",
            verdict(cpu, 0.5, at_most=True),
        ],
        [
            "P0 devnet/Fabric tx/s at saturation (Node->Python put)",
            f"{_fmt(ours.saturation.tx_per_second)} / {_fmt(theirs.saturation.tx_per_second)}"
            f" = {_fmt(tps, 2)}",
            ">= 1.0",
            verdict(tps, 1.0, at_most=False),
        ],
    ]
