"""Writing a meter's readings as a Green Button (ESPI) Atom feed ("download my data").

One UsagePoint per meter (title: the meter id), one MeterReading per direction with its
ReadingType (uom 72 Wh, powerOfTenMultiplier 0, flowDirection 1 import / 19 export, interval
length the meter's), and one IntervalBlock per UTC day. An interval is written when both of its
boundary readings are stored: its value is the next reading's register minus this one's, so
importing the file into the same meter gives back exactly the same readings. A reading without a
neighbour (a gap on both sides) bounds no interval and is not in the file; ``ExportSummary``
counts them. With ``bills``, each meter's usage point also links its owner's bills as ESPI
UsageSummary entries (billing period, the bill's overall consumption in Wh, its total as
``billLastPeriod`` in hundred-thousandths of the ISO 4217 numeric ``currency``), which an import
ignores with a message. An interval whose closing reading is flagged estimated gets ReadingQuality 8
(estimated), which the import turns back into the same flag.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gridledger.greenbutton.espi import GreenButtonError
from gridledger.greenbutton.registers import (
    DIRECTIONS,
    EXPORT,
    IMPORT,
    WH,
    LengthLookup,
    every_fifteen_minutes,
)
from gridledger_domain import MeterReading, format_utc, interval_energy
from gridledger_domain.records import Bill

ATOM_NS = "http://www.w3.org/2005/Atom"
ESPI_NS = "http://naesb.org/espi"
DAY = 86_400
ESTIMATED_QUALITY = 8
"""ReadingQuality written for an interval whose closing reading is flagged estimated."""


@dataclass(frozen=True, slots=True)
class ExportSummary:
    meters: int
    intervals: int
    unbounded: int
    """Readings that bound no interval (no stored reading one interval before or after)."""
    bills: int = 0
    """UsageSummary entries written (one per meter and bill)."""


CURRENCIES: dict[str, tuple[int, int]] = {
    "AUD": (36, 2), "BGN": (975, 2), "BRL": (986, 2), "CAD": (124, 2), "CHF": (756, 2),
    "CLP": (152, 0), "CNY": (156, 2), "CZK": (203, 2), "DKK": (208, 2), "EUR": (978, 2),
    "GBP": (826, 2), "HKD": (344, 2), "HUF": (348, 2), "INR": (356, 2), "ISK": (352, 0),
    "JPY": (392, 0), "KRW": (410, 0), "MXN": (484, 2), "NOK": (578, 2), "NZD": (554, 2),
    "PLN": (985, 2), "RON": (946, 2), "SEK": (752, 2), "SGD": (702, 2), "TRY": (949, 2),
    "USD": (840, 2), "ZAR": (710, 2),
}  # fmt: skip
"""ISO 4217: alphabetic code → (numeric code, minor-unit exponent), for ESPI ``currency``."""
HUNDRED_THOUSANDTHS = 5
"""ESPI money amounts (``billLastPeriod``) count hundred-thousandths of the currency."""


def espi_amount(minor_units: int, currency: str) -> tuple[int, int]:
    """(ESPI numeric currency, amount in hundred-thousandths) of ``minor_units`` of
    ``currency``: exact integers (cents x 1000 for a 2-decimal currency)."""
    known = CURRENCIES.get(currency)
    if known is None:
        raise GreenButtonError(
            f"currency {currency}: no ISO 4217 numeric code known for the ESPI UsageSummary "
            f"(known: {', '.join(sorted(CURRENCIES))})"
        )
    numeric, exponent = known
    return numeric, minor_units * 10 ** (HUNDRED_THOUSANDTHS - exponent)


def _summary(feed: ET.Element, meter_id: str, point: str, number: int, bill: Bill) -> None:
    """One bill as a UsageSummary of the usage point: billing period, overall consumption (the
    bill's, Wh), cost (``billLastPeriod``, hundred-thousandths of ``currency``)."""
    currency, amount = espi_amount(bill.total, bill.currency)
    period_text = f"{format_utc(bill.period_start)[:10]} to {format_utc(bill.period_end)[:10]}"
    content = _entry(
        feed,
        f"{meter_id} bill {period_text}",
        f"{point}/UsageSummary/{number}",
        f"{point}/UsageSummary",
        [],
    )
    summary = _espi(content, "UsageSummary")
    period = _espi(summary, "billingPeriod")
    _espi(period, "duration", bill.period_end - bill.period_start)
    _espi(period, "start", bill.period_start)
    _espi(summary, "billLastPeriod", amount)
    _espi(summary, "currency", currency)
    consumption = _espi(summary, "overallConsumptionLastPeriod")
    _espi(consumption, "powerOfTenMultiplier", 0)
    _espi(consumption, "timeStamp", bill.period_end)
    _espi(consumption, "uom", WH)
    _espi(consumption, "value", bill.matched_total.consumed_wh)
    _espi(summary, "statusTimeStamp", bill.period_end)


def _atom(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _espi(parent: ET.Element, name: str, text: object = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ESPI_NS}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _entry(
    feed: ET.Element, title: str, self_link: str, up: str, related: Sequence[str]
) -> ET.Element:
    entry = _atom(feed, "entry")
    _atom(entry, "id", f"urn:gridledger:{self_link}")
    _atom(entry, "title", title)
    for rel, href in [("self", self_link), ("up", up), *(("related", r) for r in related)]:
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", rel=rel, href=href)
    return _atom(entry, "content")


def build_feed(
    series: Iterable[tuple[str, Sequence[MeterReading]]],
    updated: str,
    lengths: LengthLookup = every_fifteen_minutes,
    bills: Mapping[str, Sequence[Bill]] | None = None,
) -> tuple[ET.Element, ExportSummary]:
    """The feed of each ``(meter id, its readings in time order)``; ``lengths``: each meter's
    registered interval length, the length of its IntervalReadings; ``bills``: by meter id, the
    bills of its owner to write as UsageSummary entries of its usage point."""
    ET.register_namespace("", ATOM_NS)
    ET.register_namespace("espi", ESPI_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _atom(feed, "id", "urn:gridledger:export")
    _atom(feed, "title", "GridLedger Green Button export")
    _atom(feed, "updated", updated)
    meters = intervals = unbounded = summaries = 0
    for number, (meter_id, readings) in enumerate(series, 1):
        meters += 1
        length = lengths(meter_id)
        point = f"/espi/1_1/resource/Subscription/1/UsagePoint/{number}"
        its_bills = (bills or {}).get(meter_id, ())
        content = _entry(
            feed,
            meter_id,
            point,
            "/espi/1_1/resource/Subscription/1/UsagePoint",
            [f"{point}/MeterReading", *([f"{point}/UsageSummary"] if its_bills else [])],
        )
        category = _espi(_espi(content, "UsagePoint"), "ServiceCategory")
        _espi(category, "kind", 0)
        for bill_number, bill in enumerate(its_bills, 1):
            _summary(feed, meter_id, point, bill_number, bill)
            summaries += 1
        at = {r.interval_start: r for r in readings}
        starts = [t for t in sorted(at) if t + length in at]
        bounding = set(starts) | {t + length for t in starts}
        unbounded += sum(1 for t in at if t not in bounding)
        intervals += len(starts)
        for direction in (IMPORT, EXPORT):
            reading = f"{point}/MeterReading/{direction}"
            reading_type = f"/espi/1_1/resource/ReadingType/{number}-{direction}"
            blocks = f"{reading}/IntervalBlock"
            content = _entry(
                feed,
                f"{meter_id} {DIRECTIONS[direction]}",
                reading,
                f"{point}/MeterReading",
                [blocks, reading_type],
            )
            _espi(content, "MeterReading")
            content = _entry(
                feed,
                f"{meter_id} {DIRECTIONS[direction]} Wh",
                reading_type,
                "/espi/1_1/resource/ReadingType",
                [],
            )
            kind = _espi(content, "ReadingType")
            _espi(kind, "accumulationBehaviour", 4)
            _espi(kind, "commodity", 1)
            _espi(kind, "flowDirection", direction)
            _espi(kind, "intervalLength", length)
            _espi(kind, "kind", 12)
            _espi(kind, "powerOfTenMultiplier", 0)
            _espi(kind, "uom", WH)
            days: dict[int, list[int]] = {}
            for start in starts:
                days.setdefault(start - start % DAY, []).append(start)
            for day, day_starts in days.items():
                block = f"{blocks}/{day // DAY}"
                content = _entry(
                    feed,
                    f"{meter_id} {DIRECTIONS[direction]} {format_utc(day)[:10]}",
                    block,
                    blocks,
                    [],
                )
                element = _espi(content, "IntervalBlock")
                period = _espi(element, "interval")
                _espi(period, "duration", len(day_starts) * length)
                _espi(period, "start", day_starts[0])
                for start in day_starts:
                    value = _espi(element, "IntervalReading")
                    if at[start + length].estimated:  # the reading closing it is flagged
                        _espi(_espi(value, "ReadingQuality"), "quality", ESTIMATED_QUALITY)
                    time_period = _espi(value, "timePeriod")
                    _espi(time_period, "duration", length)
                    _espi(time_period, "start", start)
                    imported, exported = interval_energy(at[start], at[start + length])
                    _espi(value, "value", imported if direction == IMPORT else exported)
    return feed, ExportSummary(meters, intervals, unbounded, summaries)


def write_feed(
    path: Path,
    series: Iterable[tuple[str, Sequence[MeterReading]]],
    updated: str,
    lengths: LengthLookup = every_fifteen_minutes,
    bills: Mapping[str, Sequence[Bill]] | None = None,
) -> ExportSummary:
    feed, summary = build_feed(series, updated, lengths, bills)
    ET.indent(feed)
    path.write_bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n")
    return summary
