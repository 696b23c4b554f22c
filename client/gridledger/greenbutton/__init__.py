"""Green Button (NAESB ESPI) files in and out: parse → map → readings → submit, and export.

    from gridledger.greenbutton import Mapping, ledger_lookup, plan_import, read_feed

    points = read_feed(Path("usage.xml"))                 # hardened XML, links followed
    mapping = Mapping.load(Path("mapping.json"))          # usage point link or title → meter
    plan = plan_import(points, mapping, ledger_lookup(client), meter_lengths(client))
    signed = [head_end.sign_reading(r)
              for r in plan.readings]                     # the head-end's meter keys
    submit_through_outbox(signed, outbox, drainer, channel="energy", chaincode="gridledger")
    write_feed(Path("export.xml"), [(meter_id, readings)], updated="2025-06-22T00:00:00Z")

The rules (units, directions, interval lengths, starting registers, gaps) are in
docs/greenbutton.md.
"""

from __future__ import annotations

from gridledger.energy import EnergyClient
from gridledger.greenbutton.espi import GreenButtonError, ReadingType, UsagePoint, read_feed
from gridledger.greenbutton.export import ExportSummary, build_feed, write_feed
from gridledger.greenbutton.mapping import Mapping
from gridledger.greenbutton.registers import (
    Gathered,
    ImportPlan,
    LedgerLookup,
    LengthLookup,
    Registers,
    accumulate,
    check_files,
    every_fifteen_minutes,
    interval_seconds,
    plan_import,
)
from gridledger.greenbutton.safexml import DEFAULT_MAX_BYTES, UnsafeXml, XmlSyntaxError
from gridledger.greenbutton.submit import OutboxSummary, submit_through_outbox

LOOK_BACK_SECONDS = 31 * 86_400
"""How far before a run's first interval the ledger is asked for the reading it starts from
(the longest period one ``GetReadings`` query may span)."""


def ledger_lookup(client: EnergyClient) -> LedgerLookup:
    """The latest stored reading of a meter at or before an instant, within the 31 days before
    it (one query), as ``(instant, import Wh, export Wh)``."""

    def lookup(meter_id: str, instant: int) -> Registers | None:
        found = client.readings(meter_id, max(0, instant - LOOK_BACK_SECONDS), instant).all()
        if not found:
            return None
        last = found[-1].reading
        return last.interval_start, last.import_wh, last.export_wh

    return lookup


def meter_lengths(client: EnergyClient) -> LengthLookup:
    """Each meter's registered interval length in seconds, asked of the ledger once per meter."""
    known: dict[str, int] = {}

    def lengths(meter_id: str) -> int:
        if meter_id not in known:
            known[meter_id] = interval_seconds(client.meter(meter_id))
        return known[meter_id]

    return lengths


__all__ = [
    "DEFAULT_MAX_BYTES",
    "ExportSummary",
    "Gathered",
    "GreenButtonError",
    "ImportPlan",
    "LedgerLookup",
    "LengthLookup",
    "Mapping",
    "OutboxSummary",
    "ReadingType",
    "UnsafeXml",
    "UsagePoint",
    "XmlSyntaxError",
    "accumulate",
    "build_feed",
    "check_files",
    "every_fifteen_minutes",
    "interval_seconds",
    "ledger_lookup",
    "meter_lengths",
    "plan_import",
    "read_feed",
    "submit_through_outbox",
    "write_feed",
]
