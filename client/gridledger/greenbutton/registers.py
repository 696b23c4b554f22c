"""From ESPI interval energies to our readings: cumulative registers at interval boundaries.

An IntervalReading is the energy of one interval; a ``MeterReading`` holds the meter's
cumulative import and export registers at an instant. Per meter, the intervals of every file
are gathered by direction (flowDirection 1 = import, 19 = export), checked (unit Wh after
``powerOfTenMultiplier``, whole Wh, the meter's registered interval length (15, 30 or 60
minutes; daily or monthly data is refused) and alignment, no two different
values for one interval), cut into runs of consecutive intervals, and accumulated:

- a run starting at T starts from the registers of the latest reading at or before T, whether
  on the ledger (looked up in the 31 days before T) or produced earlier in this import; a meter
  with none starts at 0. A re-import therefore starts from the readings its first import stored
  and gives exactly the same readings again (the ledger keeps them as duplicates).
- a gap (intervals absent from the files, or present for only one of the directions a meter's
  data has) is left a gap: no reading is invented in it; the registers continue after it from
  the last known reading, so the gap's energy is not counted, and the import report names it.
- a direction a meter has no data for at all keeps its register where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gridledger.greenbutton.espi import (
    ELECTRICITY,
    GreenButtonError,
    IntervalValue,
    ReadingType,
    UsagePoint,
)
from gridledger.greenbutton.mapping import Mapping
from gridledger_domain import INTERVAL_SECONDS, MeterReading, format_utc
from gridledger_domain.records import Meter
from gridledger_domain.timeutil import meter_interval_problem

WH = 72
"""ESPI UnitSymbolKind of watt-hours."""
IMPORT = 1
"""flowDirection delivered (to the customer): our import register."""
EXPORT = 19
"""flowDirection received (from the customer): our export register."""
DIRECTIONS = {IMPORT: "import", EXPORT: "export"}
UNIT_NAMES = {38: "W", 61: "VA", 63: "VAr", 71: "VAh", 72: "Wh", 73: "VArh", 42: "m3", 169: "therm"}

Registers = tuple[int, int, int]
"""A known reading: (instant, import Wh, export Wh)."""
LedgerLookup = Callable[[str, int], Registers | None]
"""The latest stored reading of a meter at or before an instant (None: none known)."""


LengthLookup = Callable[[str], int]
"""A registered meter's interval length in seconds, by meter id."""


def interval_seconds(meter: Meter) -> int:
    """The meter's registered interval length (15, 30 or 60 minutes), in seconds: the one
    length its ESPI intervals may have (a reading is never split or invented to fit another)."""
    return meter.interval_seconds


def every_fifteen_minutes(meter_id: str) -> int:
    """The length of a meter registered without one (the default): 15 minutes."""
    return INTERVAL_SECONDS


@dataclass(frozen=True, slots=True)
class Located:
    """An interval's value and where it came from (for messages)."""

    value: IntervalValue
    where: str


@dataclass(slots=True)
class ImportPlan:
    """What a set of files gives: the readings to sign, and what the report must say."""

    readings: list[MeterReading] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    estimated: list[str] = field(default_factory=list)
    """The intervals the files mark estimated (ReadingQuality 8, 9 or 12): the reading closing
    each is flagged ``estimated`` on the ledger."""
    usage_points: int = 0
    intervals: int = 0


def _where(point: UsagePoint, series: str, value: IntervalValue | None = None) -> str:
    text = f"{point.file}: usage point {point.name!r}, {series}"
    if value is not None:
        text += f", {value.block}, interval {format_utc(value.start)}"
    return text


def _wh(value: IntervalValue, reading_type: ReadingType, where: str) -> int:
    if reading_type.uom != WH:
        unit = UNIT_NAMES.get(reading_type.uom, "unknown unit")
        raise GreenButtonError(
            f"{where}: uom {reading_type.uom} ({unit}) is not energy in Wh (uom 72): refused"
        )
    power = reading_type.power_of_ten
    if power >= 0:
        wh = value.value * int(10**power)
    else:
        wh, rest = divmod(value.value, 10**-power)
        if rest:
            raise GreenButtonError(
                f"{where}: {value.value} x 10^{power} Wh is not a whole number of Wh"
            )
    if wh < 0:
        raise GreenButtonError(f"{where}: negative energy {wh} Wh")
    return wh


def _check_interval(value: IntervalValue, where: str) -> None:
    """A meter interval length (15, 30 or 60 minutes; daily or monthly data refused), and an
    interval on its grid. Which length the meter has is checked against the ledger later."""
    length = value.duration
    minutes, rest = divmod(length, 60)
    problem = f"{length} seconds" if rest else meter_interval_problem(minutes)
    if problem is not None:
        raise GreenButtonError(f"{where}: this IntervalBlock's {problem}: refused")
    if value.start % length:
        raise GreenButtonError(
            f"{where}: interval starts {value.start % length} s past a {length // 60}-minute "
            "boundary"
        )


class Gathered:
    """Every meter's intervals by direction: start → (Wh, where)."""

    def __init__(self) -> None:
        self.by_meter: dict[str, dict[int, dict[int, tuple[int, str]]]] = {}
        self.lengths: dict[str, tuple[int, str]] = {}
        """Each meter's interval length in the files, and where it was first seen."""
        self.estimated: set[tuple[str, int]] = set()
        """(meter, interval start) of the intervals a file marks estimated (either direction)."""

    def check_length(self, meter_id: str, length: int, where: str) -> None:
        """One interval length per meter across the files."""
        known = self.lengths.setdefault(meter_id, (length, where))
        if known[0] != length:
            raise GreenButtonError(
                f"{where}: {length}-second intervals, but {known[1]} has {known[0]}-second "
                f"intervals for meter {meter_id}: refused (a reading is never split or invented "
                "to fit another length)"
            )

    def add(self, meter_id: str, direction: int, start: int, wh: int, where: str) -> bool:
        """Record one interval; False if it was already there with the same value."""
        series = self.by_meter.setdefault(meter_id, {}).setdefault(direction, {})
        known = series.get(start)
        if known is None:
            series[start] = (wh, where)
            return True
        if known[0] != wh:
            raise GreenButtonError(
                f"{where}: {wh} Wh, but {known[1]} gives {known[0]} Wh for the same interval "
                f"of meter {meter_id}: refused"
            )
        return False


def gather(points: Iterable[UsagePoint], mapping: Mapping, plan: ImportPlan) -> Gathered:
    """Check and collect the intervals of ``points``; skipped usage points go to the notes."""
    gathered = Gathered()
    for point in points:
        if point.service_kind != ELECTRICITY:
            plan.notes.append(
                f"{point.file}: usage point {point.name!r} skipped: ServiceCategory kind "
                f"{point.service_kind} is not electricity (0)"
            )
            continue
        if point.summaries:
            plan.notes.append(
                f"{point.file}: usage point {point.name!r}: {len(point.summaries)} UsageSummary "
                f"entries ignored (bill summaries, not readings), the first: {point.summaries[0]}"
            )
        meter_id = mapping.meter_of(point)
        if meter_id is None:
            raise GreenButtonError(
                f"{point.file}: usage point {point.name!r} ({point.link}) is not in the mapping"
            )
        plan.usage_points += 1
        for series in point.series:
            reading_type = series.reading_type or mapping.default_reading_type
            if reading_type is None:
                raise GreenButtonError(
                    f"{_where(point, series.entry)}: no ReadingType, and the mapping declares "
                    "no default_reading_type"
                )
            if series.reading_type is None and series.values:
                plan.notes.append(
                    f"{_where(point, series.entry)}: no ReadingType: the mapping's default used"
                )
            if reading_type.flow_direction not in DIRECTIONS:
                raise GreenButtonError(
                    f"{_where(point, series.entry)}: flowDirection "
                    f"{reading_type.flow_direction} is neither 1 (delivered, import) nor 19 "
                    "(received, export): refused"
                )
            for value in series.values:
                where = _where(point, series.entry, value)
                _check_interval(value, where)
                gathered.check_length(meter_id, value.duration, where)
                wh = _wh(value, reading_type, where)
                if gathered.add(meter_id, reading_type.flow_direction, value.start, wh, where):
                    plan.intervals += 1
                    if value.estimated:
                        plan.estimated.append(where)
                if value.estimated:
                    gathered.estimated.add((meter_id, value.start))
    return gathered


def _runs(starts: list[int], length: int) -> list[list[int]]:
    runs: list[list[int]] = []
    for start in starts:
        if runs and start == runs[-1][-1] + length:
            runs[-1].append(start)
        else:
            runs.append([start])
    return runs


def check_lengths(gathered: Gathered, lengths: LengthLookup) -> None:
    """Each meter's intervals in the files have its registered length."""
    for meter_id in sorted(gathered.lengths):
        found, where = gathered.lengths[meter_id]
        length = lengths(meter_id)
        if found != length:
            raise GreenButtonError(
                f"{where}: meter {meter_id} reads every {length // 60} minutes; this "
                f"IntervalBlock has {found}-second intervals"
            )


def accumulate(
    gathered: Gathered,
    ledger: LedgerLookup,
    plan: ImportPlan,
    lengths: LengthLookup = every_fifteen_minutes,
) -> None:
    """The readings of every gathered meter, appended to ``plan`` (see the module's rules);
    ``lengths`` gives each meter's registered interval length, which its data must have."""
    check_lengths(gathered, lengths)
    for meter_id in sorted(gathered.by_meter):
        by_direction = gathered.by_meter[meter_id]
        length = gathered.lengths[meter_id][0]
        every = set.intersection(*(set(series) for series in by_direction.values()))
        for start in sorted(set.union(*(set(s) for s in by_direction.values())) - every):
            have = [DIRECTIONS[d] for d in sorted(by_direction) if start in by_direction[d]]
            plan.notes.append(
                f"meter {meter_id}, interval {format_utc(start)}: only {' and '.join(have)} "
                "data: left a gap (no reading invented)"
            )
        produced: Registers | None = None
        for run in _runs(sorted(every), length):
            first = run[0]
            base = ledger(meter_id, first)
            if produced is not None and (base is None or base[0] < produced[0]):
                base = produced
            if base is None:
                base = (first, 0, 0)
            if base[0] != first:
                plan.notes.append(
                    f"meter {meter_id}: no data from {format_utc(base[0])} to "
                    f"{format_utc(first)}: left a gap (no readings invented); registers "
                    "continue from the reading before it"
                )
            _, import_wh, export_wh = base
            plan.readings.append(MeterReading(meter_id, first, import_wh, export_wh))
            for start in run:
                import_wh += by_direction.get(IMPORT, {}).get(start, (0, ""))[0]
                export_wh += by_direction.get(EXPORT, {}).get(start, (0, ""))[0]
                plan.readings.append(
                    MeterReading(
                        meter_id,
                        start + length,
                        import_wh,
                        export_wh,
                        (meter_id, start) in gathered.estimated,
                    )
                )
            produced = (run[-1] + length, import_wh, export_wh)


def check_files(points: Iterable[UsagePoint], mapping: Mapping) -> tuple[Gathered, ImportPlan]:
    """Every check that needs no ledger (units, directions, intervals, overlaps, mapping):
    the gathered intervals, and the plan their readings will be added to."""
    plan = ImportPlan()
    return gather(points, mapping, plan), plan


def plan_import(
    points: Iterable[UsagePoint],
    mapping: Mapping,
    ledger: LedgerLookup,
    lengths: LengthLookup = every_fifteen_minutes,
) -> ImportPlan:
    """The readings (unsigned) and the report of importing ``points`` with ``mapping``;
    ``ledger`` gives the stored reading each run starts from, ``lengths`` each meter's
    registered interval length (see :func:`gridledger.greenbutton.meter_lengths`)."""
    gathered, plan = check_files(points, mapping)
    accumulate(gathered, ledger, plan, lengths)
    return plan
