"""What the ingest suite's MQTT and Green Button figures share: the bench's meters, the tables."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from gridledger.energy import Conflict, EnergyClient

from bench.network import OPERATOR, PROSUMER, BenchNetwork

OWNER_USER = "bench-c00"


def markdown_table(title: str, columns: str, rows: Iterable[str]) -> str:
    """A section of bench/RESULTS.md: ``## title`` and a table of ``columns`` ("a | b") and
    ``rows`` (already "| 1 | 2 |")."""
    rule = "|" + " --- |" * len(columns.split(" | "))
    return "\n".join([f"## {title}", "", f"| {columns} |", rule, *rows, ""])


def register_bench_meters(
    network: BenchNetwork, meters: Iterable[tuple[str, str]], *, interval_minutes: int = 15
) -> None:
    """Register ``(meter id, public key PEM)`` as consumption meters of the bench's consumer
    (registered first if need be); meters an earlier run on the same --home registered stay."""
    with (
        EnergyClient.connect(network.home, OPERATOR, "utility") as utility,
        EnergyClient.connect(network.home, PROSUMER, OWNER_USER) as owner,
    ):
        me = owner.whoami()
        if not me.registered:
            utility.register_participant(me, "consumer", zone="north", display_name="bench")
        for meter_id, public_key_pem in meters:
            with contextlib.suppress(Conflict):
                utility.register_meter(
                    meter_id,
                    me.participant_id,
                    "consumption",
                    "grid",
                    "north",
                    public_key_pem,
                    interval_minutes=interval_minutes,
                )
