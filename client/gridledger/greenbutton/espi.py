"""Reading a Green Button (NAESB ESPI) Atom feed: its usage points, and for each the interval
series of its meter readings, with the reading type that gives their unit and direction.

Liberal where real files deviate: whitespace anywhere inside numbers, Atom dates in RFC 822 or
other non-ISO forms (they are informative only), comments and processing instructions, links
given as relative or absolute URLs, a missing ReadingType (the mapping's declared default is
used). Strict where it matters: units, directions, interval lengths and alignment are checked by
``gridledger.greenbutton.registers``. Every problem names the file and the entry.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from gridledger.errors import GridLedgerError
from gridledger.greenbutton.safexml import DEFAULT_MAX_BYTES, parse_file

ATOM = "{http://www.w3.org/2005/Atom}"
ESPI = "{http://naesb.org/espi}"
ELECTRICITY = 0
"""ServiceCategory kind of electricity (ESPI ``ServiceKind``)."""
ESTIMATED_QUALITIES = frozenset({8, 9, 12})
"""ReadingQuality codes of estimated values (ESPI ``QualityOfReading``: estimated using a
reference day, estimated using linear interpolation, projected)."""

_SPACE = re.compile(r"\s+")


class GreenButtonError(GridLedgerError):
    """A Green Button file cannot be imported as it is: the message names file, entry and
    interval."""


@dataclass(frozen=True, slots=True)
class ReadingType:
    """What an IntervalReading's value means: ``value * 10**power_of_ten`` in ``uom``
    (72 = Wh), in ``flow_direction`` (1 delivered = import, 19 received = export), over
    intervals of ``interval_length`` seconds (None: not declared)."""

    uom: int
    power_of_ten: int
    flow_direction: int
    interval_length: int | None = None


@dataclass(frozen=True, slots=True)
class IntervalValue:
    """One IntervalReading: ``value`` over ``[start, start + duration)`` (Unix seconds)."""

    start: int
    duration: int
    value: int
    estimated: bool
    block: str
    """The IntervalBlock entry holding it (its title or link), for messages."""


@dataclass(slots=True)
class Series:
    """A MeterReading of a usage point: its reading type (None: the file gives none) and its
    interval values from every IntervalBlock linked to it."""

    entry: str
    reading_type: ReadingType | None
    values: list[IntervalValue] = field(default_factory=list)


@dataclass(slots=True)
class UsagePoint:
    """A usage point of a file: its self link, title, service kind, and meter readings."""

    file: Path
    link: str
    title: str
    service_kind: int
    series: list[Series] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    """The UsageSummary entries (bill summaries) linked to it: not readings, ignored."""

    @property
    def name(self) -> str:
        return self.title or self.link


@dataclass(slots=True)
class _Entry:
    title: str
    self_link: str
    up_link: str
    related: list[str]
    content: ET.Element | None

    @property
    def name(self) -> str:
        return f"entry {self.title!r} ({self.self_link})" if self.title else self.self_link


def number(text: str | None, what: str, where: str) -> int:
    """An integer from ``text``, any whitespace in it ignored (``" 1 200 "`` is 1200)."""
    cleaned = _SPACE.sub("", text or "")
    try:
        return int(cleaned)
    except ValueError:
        raise GreenButtonError(f"{where}: {what} {text!r} is not an integer") from None


def normalize_link(link: str) -> str:
    """A link compared without its scheme and host, trailing slash or surrounding spaces
    (files mix absolute and relative links)."""
    text = link.strip()
    text = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*", "", text)
    return text.rstrip("/")


def _entries(root: ET.Element) -> list[_Entry]:
    found = [root] if root.tag == f"{ATOM}entry" else root.iter(f"{ATOM}entry")
    entries = []
    for entry in found:
        links: dict[str, list[str]] = {}
        for link in entry.findall(f"{ATOM}link"):
            rel = link.get("rel", "alternate").strip()
            links.setdefault(rel, []).append(normalize_link(link.get("href", "")))
        content = entry.find(f"{ATOM}content")
        payload = next(iter(content), None) if content is not None else None
        entries.append(
            _Entry(
                title=(entry.findtext(f"{ATOM}title") or "").strip(),
                self_link=(links.get("self") or [""])[0],
                up_link=(links.get("up") or [""])[0],
                related=links.get("related", []),
                content=payload,
            )
        )
    return entries


def _kind(entry: _Entry) -> str:
    if entry.content is None or not entry.content.tag.startswith(ESPI):
        return ""
    return entry.content.tag[len(ESPI) :]


def _child_number(element: ET.Element, name: str, where: str, default: int | None = None) -> int:
    child = element.find(f"{ESPI}{name}")
    if child is None:
        if default is not None:
            return default
        raise GreenButtonError(f"{where}: no {name}")
    return number(child.text, name, where)


def _reading_type(element: ET.Element, where: str) -> ReadingType:
    return ReadingType(
        uom=_child_number(element, "uom", where),
        power_of_ten=_child_number(element, "powerOfTenMultiplier", where, default=0),
        flow_direction=_child_number(element, "flowDirection", where),
        interval_length=(
            _child_number(element, "intervalLength", where)
            if element.find(f"{ESPI}intervalLength") is not None
            else None
        ),
    )


def _interval_values(path: Path, block: _Entry) -> list[IntervalValue]:
    assert block.content is not None
    name = f"{path}: {block.name}"
    values = []
    for position, reading in enumerate(block.content.iter(f"{ESPI}IntervalReading"), 1):
        where = f"{name}, IntervalReading {position}"
        period = reading.find(f"{ESPI}timePeriod")
        if period is None:
            raise GreenButtonError(f"{where}: no timePeriod")
        qualities = {
            number(q.text, "ReadingQuality", where) for q in reading.iter(f"{ESPI}quality")
        }
        values.append(
            IntervalValue(
                start=_child_number(period, "start", where),
                duration=_child_number(period, "duration", where),
                value=_child_number(reading, "value", where),
                estimated=bool(qualities & ESTIMATED_QUALITIES),
                block=block.name,
            )
        )
    return values


def read_feed(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[UsagePoint]:
    """The usage points of the Green Button file at ``path`` (a feed, or a single entry), each
    with its meter readings followed through the feed's links."""
    entries = _entries(parse_file(path, max_bytes))
    by_kind: dict[str, list[_Entry]] = {}
    for entry in entries:
        by_kind.setdefault(_kind(entry), []).append(entry)
    reading_types = {e.self_link: e for e in by_kind.get("ReadingType", [])}
    blocks = by_kind.get("IntervalBlock", [])
    points = []
    for entry in by_kind.get("UsagePoint", []):
        assert entry.content is not None
        category = entry.content.find(f"{ESPI}ServiceCategory")
        kind = ELECTRICITY
        if category is not None:
            kind = _child_number(category, "kind", f"{path}: {entry.name}", default=ELECTRICITY)
        points.append(UsagePoint(path, entry.self_link, entry.title, kind))
    if not points:
        raise GreenButtonError(f"{path}: no UsagePoint entry: not a Green Button file")
    for reading in by_kind.get("MeterReading", []):
        point = _owner(points, reading)
        if point is None:
            raise GreenButtonError(f"{path}: {reading.name}: no UsagePoint links to it")
        series = Series(reading.name, None)
        for link in reading.related:
            if link in reading_types and reading_types[link].content is not None:
                content = reading_types[link].content
                assert content is not None
                series.reading_type = _reading_type(content, f"{path}: {reading_types[link].name}")
        collections = set(reading.related) | {f"{reading.self_link}/IntervalBlock"}
        for block in blocks:
            if block.up_link in collections or any(
                block.self_link.startswith(c + "/") for c in collections if c
            ):
                series.values.extend(_interval_values(path, block))
        point.series.append(series)
    for summary in by_kind.get("UsageSummary", []):
        owner = _owner(points, summary) or points[0]
        owner.summaries.append(summary.name)
    return points


def _owner(points: list[UsagePoint], reading: _Entry) -> UsagePoint | None:
    """The usage point whose link the meter reading's links extend."""
    for point in points:
        prefix = point.link + "/"
        if point.link and (
            reading.self_link.startswith(prefix) or reading.up_link.startswith(prefix)
        ):
            return point
    return points[0] if len(points) == 1 else None
