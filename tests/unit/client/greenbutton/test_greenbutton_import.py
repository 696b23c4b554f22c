"""Green Button (ESPI) files → our cumulative readings, on small hand-written files
(files/): 15-minute data, several usage points, units and directions, the deviations real
files have, strict refusals, and hostile XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from gridledger.greenbutton import (
    GreenButtonError,
    ImportPlan,
    LedgerLookup,
    Mapping,
    Registers,
    UnsafeXml,
    build_feed,
    interval_seconds,
    plan_import,
    read_feed,
)
from gridledger.greenbutton.export import espi_amount, write_feed
from gridledger_domain import MeterReading, parse_utc
from gridledger_domain.records import Bill, MatchedEnergy

FILES = Path(__file__).parent / "files"
MAPPING = Mapping.load(FILES / "mapping.json")
START = parse_utc("2025-06-21T00:00:00Z")


def nothing_stored(meter_id: str, instant: int) -> Registers | None:
    return None


def plan(name: str, ledger: LedgerLookup = nothing_stored) -> ImportPlan:
    return plan_import(read_feed(FILES / name), MAPPING, ledger)


def registers(result: ImportPlan, meter_id: str = "MTR-HOME") -> list[tuple[int, int, int]]:
    return [
        (r.interval_start - START, r.import_wh, r.export_wh)
        for r in result.readings
        if r.meter_id == meter_id
    ]


def test_fifteen_minute_data_accumulates_from_zero_with_a_stylesheet_and_comments() -> None:
    result = plan("fifteen_minutes.xml")
    assert registers(result) == [(0, 0, 0), (900, 100, 0), (1800, 220, 0), (2700, 300, 0),
                                 (3600, 395, 0)]  # fmt: skip
    assert (result.usage_points, result.intervals, result.notes) == (1, 4, [])


def test_registers_start_from_the_meters_last_stored_reading() -> None:
    def ledger(meter_id: str, instant: int) -> Registers | None:
        return (START - 900, 5000, 7)

    result = plan("fifteen_minutes.xml", ledger)
    assert registers(result)[:2] == [(0, 5000, 7), (900, 5100, 7)]
    assert "left a gap (no readings invented)" in result.notes[0]


def test_a_reimport_starts_from_the_reading_its_first_import_stored() -> None:
    first = plan("fifteen_minutes.xml")
    stored = {(r.meter_id, r.interval_start): r for r in first.readings}

    def ledger(meter_id: str, instant: int) -> Registers | None:
        r = stored.get((meter_id, instant))
        return None if r is None else (r.interval_start, r.import_wh, r.export_wh)

    assert plan("fifteen_minutes.xml", ledger).readings == first.readings


def test_several_usage_points_directions_and_a_gas_point_skipped() -> None:
    result = plan("several_usage_points.xml")
    assert registers(result) == [(0, 0, 0), (900, 100, 0), (1800, 220, 0)]
    assert registers(result, "MTR-ROOF") == [(0, 0, 0), (900, 5, 300), (1800, 10, 700)]
    assert result.usage_points == 2
    assert any(
        "'Gas' skipped: ServiceCategory kind 1 is not electricity" in n for n in result.notes
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("kwh_multiplier.xml", [0, 1000, 3000]), ("milli_wh.xml", [0, 1, 3])],
)
def test_power_of_ten_multipliers(name: str, expected: list[int]) -> None:
    assert [imported for _, imported, _ in registers(plan(name))] == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("watts.xml", "uom 38 (W) is not energy in Wh (uom 72): refused"),
        ("milli_wh_fraction.xml", "2001 x 10^-3 Wh is not a whole number of Wh"),
        ("net_direction.xml", "flowDirection 4 is neither 1 (delivered, import) nor 19"),
        (
            "hourly.xml",
            "meter MTR-HOME reads every 15 minutes; this IntervalBlock has 3600-second intervals",
        ),
        ("misaligned.xml", "interval starts 60 s past a 15-minute boundary"),
        ("overlap_different.xml", "25 Wh, but"),
    ],
)
def test_strict_refusals_name_file_entry_and_interval(name: str, message: str) -> None:
    with pytest.raises(GreenButtonError) as refused:
        plan(name)
    text = str(refused.value)
    assert message in text
    assert str(FILES / name) in text and "usage point 'Home'" in text
    if name not in ("net_direction.xml",):
        assert "Block 1-1-" in text and "interval 2025-06-21T00:" in text


def test_the_same_interval_twice_with_the_same_value_is_kept_once() -> None:
    assert registers(plan("overlap_same.xml")) == [(0, 0, 0), (900, 10, 0), (1800, 30, 0),
                                                   (2700, 60, 0)]  # fmt: skip


def test_a_gap_is_left_a_gap() -> None:
    result = plan("gap.xml")
    assert registers(result) == [(0, 0, 0), (900, 10, 0), (1800, 30, 0), (2700, 30, 0),
                                 (3600, 60, 0)]  # fmt: skip
    assert any("no data from 2025-06-21T00:30:00Z to 2025-06-21T00:45:00Z" in n
               for n in result.notes)  # fmt: skip


def test_estimated_values_are_kept_and_reported() -> None:
    result = plan("estimated.xml")
    assert [imported for _, imported, _ in registers(result)] == [0, 10, 30, 60]
    assert len(result.estimated) == 1 and "interval 2025-06-21T00:15:00Z" in result.estimated[0]
    # the reading closing the estimated interval (00:15-00:30) carries the flag, no other
    assert [r.interval_start - START for r in result.readings if r.estimated] == [1800]


def test_estimated_readings_export_as_quality_8_and_import_back_flagged(tmp_path: Path) -> None:
    original = [MeterReading("MTR-HOME", START + i * 900, 1000 + 7 * i, 2 * i, i in (2, 5))
                for i in range(6)]  # fmt: skip
    stored = {r.interval_start: r for r in original}
    path = tmp_path / "export.xml"
    write_feed(path, [("MTR-HOME", original)], "2025-06-22T00:00:00Z")
    text = path.read_text()
    # one ReadingQuality per direction for each estimated interval (the two closing flagged)
    assert text.count("<espi:quality>8</espi:quality>") == 4

    def ledger(meter_id: str, instant: int) -> Registers | None:
        r = stored.get(instant)
        return None if r is None else (r.interval_start, r.import_wh, r.export_wh)

    again = plan_import(read_feed(path), Mapping({"MTR-HOME": "MTR-HOME"}), ledger)
    assert again.readings == original
    assert len(again.estimated) == 4  # per direction


@pytest.mark.parametrize("name", ["whitespace_in_numbers.xml", "rfc822_dates.xml"])
def test_liberal_in_numbers_and_dates(name: str) -> None:
    assert len(registers(plan(name))) == 3


def test_a_missing_reading_type_uses_the_mappings_default() -> None:
    result = plan("no_reading_type.xml")
    assert registers(result) == [(0, 0, 0), (900, 10, 0), (1800, 30, 0)]
    assert "the mapping's default used" in result.notes[0]
    bare = Mapping(MAPPING.usage_points)
    with pytest.raises(GreenButtonError, match="no default_reading_type"):
        plan_import(read_feed(FILES / "no_reading_type.xml"), bare, nothing_stored)


def test_an_unmapped_usage_point_is_refused() -> None:
    with pytest.raises(GreenButtonError, match=r"'Home' .* is not in the mapping"):
        plan_import(read_feed(FILES / "fifteen_minutes.xml"), Mapping({}), nothing_stored)


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_hostile_xml_is_refused(name: str) -> None:
    with pytest.raises(UnsafeXml, match="unsafe XML: it declares an entity"):
        read_feed(FILES / name)


def test_oversized_input_is_refused_before_it_is_read() -> None:
    with pytest.raises(UnsafeXml, match="more than the limit of 1000 bytes"):
        read_feed(FILES / "fifteen_minutes.xml", max_bytes=1000)


def test_an_export_imports_back_to_the_same_readings(tmp_path: Path) -> None:
    original = [MeterReading("MTR-HOME", START + i * 900, 1000 + i * i, 50 + 3 * i)
                for i in range(6)]  # fmt: skip
    stored = {r.interval_start: r for r in original}
    path = tmp_path / "export.xml"
    summary = write_feed(path, [("MTR-HOME", original)], "2025-06-22T00:00:00Z")
    assert (summary.intervals, summary.unbounded) == (5, 0)

    def ledger(meter_id: str, instant: int) -> Registers | None:
        r = stored.get(instant)
        return None if r is None else (r.interval_start, r.import_wh, r.export_wh)

    mapping = Mapping({"MTR-HOME": "MTR-HOME"})
    assert plan_import(read_feed(path), mapping, ledger).readings == original
    assert build_feed([], "2025-06-22T00:00:00Z")[1].meters == 0


def hourly_meters(meter_id: str) -> int:
    return 3600


def test_hourly_data_into_an_hourly_meter_imports() -> None:
    result = plan_import(read_feed(FILES / "hourly.xml"), MAPPING, nothing_stored, hourly_meters)
    assert registers(result) == [(0, 0, 0), (3600, 400, 0), (7200, 900, 0)]
    assert (result.intervals, result.notes) == (2, [])


def test_interval_seconds_is_the_registered_length() -> None:
    from gridledger.energy import MeterSigner
    from gridledger_domain.records import Meter
    from gridledger_domain.vocabulary import EnergySource, MeterKind

    key = MeterSigner.simulated("MTR-HOME").public_key_pem
    meter = Meter("MTR-HOME", "p", MeterKind.CONSUMPTION, EnergySource.GRID, "north", key)
    assert interval_seconds(meter) == 900
    assert interval_seconds(replace(meter, interval_minutes=60)) == 3600


def test_daily_data_is_refused_clearly() -> None:
    with pytest.raises(GreenButtonError) as refused:
        plan_import(read_feed(FILES / "daily.xml"), MAPPING, nothing_stored, hourly_meters)
    text = str(refused.value)
    assert "daily or monthly data is not accepted" in text
    assert str(FILES / "daily.xml") in text and "interval 2025-06-21T00:00:00Z" in text


def test_an_hourly_meter_exports_hourly_intervals_and_imports_them_back(tmp_path: Path) -> None:
    original = [MeterReading("MTR-HOME", START + i * 3600, 100 * i, 0) for i in range(4)]
    stored = {r.interval_start: r for r in original}
    path = tmp_path / "export.xml"
    summary = write_feed(path, [("MTR-HOME", original)], "2025-06-22T00:00:00Z", hourly_meters)
    assert summary.intervals == 3

    def ledger(meter_id: str, instant: int) -> Registers | None:
        r = stored.get(instant)
        return None if r is None else (r.interval_start, r.import_wh, r.export_wh)

    mapping = Mapping({"MTR-HOME": "MTR-HOME"})
    assert plan_import(read_feed(path), mapping, ledger, hourly_meters).readings == original


def _bill(total: int, currency: str = "EUR", consumed: int = 1234) -> Bill:
    return Bill(
        "bill-1", "ProsumerMSP::CN=alice", START, START + 86_400, currency, True, 96, 96, (), (),
        (), total, 0, total, (1,), MatchedEnergy(START, consumed, 0), (), (), (), "0" * 64,
    )  # fmt: skip


def test_bills_export_as_usage_summaries_that_an_import_ignores(tmp_path: Path) -> None:
    readings = [MeterReading("MTR-HOME", START + i * 900, 10 * i, 0) for i in range(3)]
    path = tmp_path / "export.xml"
    summary = write_feed(
        path, [("MTR-HOME", readings)], "2025-06-22T00:00:00Z", bills={"MTR-HOME": [_bill(1999)]}
    )
    assert summary.bills == 1
    text = path.read_text()
    assert (
        '<link rel="related" href="/espi/1_1/resource/Subscription/1/UsagePoint/1/UsageSummary"'
        in text
    )
    espi = "{http://naesb.org/espi}"
    (usage,) = ET.fromstring(path.read_bytes()).iter(f"{espi}UsageSummary")
    assert [(e.tag.removeprefix(espi), (e.text or "").strip()) for e in usage.iter()][1:] == [
        ("billingPeriod", ""), ("duration", "86400"), ("start", str(START)),
        ("billLastPeriod", "1999000"),  # 19.99 EUR in hundred-thousandths
        ("currency", "978"),
        ("overallConsumptionLastPeriod", ""), ("powerOfTenMultiplier", "0"),
        ("timeStamp", str(START + 86_400)), ("uom", "72"), ("value", "1234"),
        ("statusTimeStamp", str(START + 86_400)),
    ]  # fmt: skip
    result = plan_import(read_feed(path), Mapping({"MTR-HOME": "MTR-HOME"}), nothing_stored)
    assert result.readings == readings
    assert any("1 UsageSummary entries ignored" in note for note in result.notes)


def test_usage_summary_amounts_are_exact_per_currency() -> None:
    assert espi_amount(-250, "JPY") == (392, -25_000_000)
    assert espi_amount(1, "USD") == (840, 1000)
    with pytest.raises(GreenButtonError, match="currency XTS: no ISO 4217 numeric code"):
        espi_amount(1, "XTS")
