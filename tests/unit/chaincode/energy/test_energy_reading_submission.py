"""Submitting and reading back signed readings through the served chaincode (``energy`` is its
default contract), on the in-memory ledger: events, no-op resubmission, refusals that write
nothing, and what a transaction writes besides the readings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gridledger_chaincode.energy.ledger.meter_data import ReadingStore
from gridledger_chaincode.energy.ledger.state import State
from gridledger_domain import parse_utc
from gridledger_domain.meter_data import readings_request
from harness.energy_ledger import CHAINCODE, OWNER_ID, EnergyLedger, as_sent

T0 = parse_utc("2025-01-01T10:15:00Z")
Q = 900
DAY = 86_400


@pytest.fixture
def energy() -> EnergyLedger:
    return EnergyLedger.with_meters("m-1")


COLLECTION = "mdata_ProsumerMSP"


def test_unqualified_function_names_reach_the_energy_contract(energy: EnergyLedger) -> None:
    ledger = energy.ledger
    assert ledger.evaluate(CHAINCODE, "WhoAmI").json() == energy.invoke("WhoAmI").json()
    args, transient = as_sent("SubmitReadings", [json.dumps(energy.signed(("m-1", T0, 1200, 30)))])
    assert (
        ledger.invoke(CHAINCODE, "SubmitReadings", *args, transient=transient).json()["stored"] == 1
    )


def test_submit_and_read_back(energy: EnergyLedger) -> None:
    result = energy.submit(("m-1", T0, 1200, 30))
    summary = {"submitted": 1, "stored": 1, "duplicates": 0, "certificates_issued": 0}
    assert result.json() == summary
    assert result.event is not None and result.event.name == "ReadingsSubmitted"
    sent = readings_request(energy.signed(("m-1", T0, 1200, 30)))
    assert json.loads(result.event.payload) == {**summary, "readings_sha256": sent[0][1]}
    stored = energy.invoke("GetReadings", "m-1", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z")
    assert stored.json()["items"] == energy.signed(("m-1", T0, 1200, 30))
    # the reading is in the owner's collection only, under a salted key
    signature = stored.json()["items"][0]["signature"].encode()
    assert not any(signature in value for value in energy.ledger.state.values())
    assert not any("m-1" in key for key in energy.ledger.private[COLLECTION])
    assert any(signature in value for value in energy.ledger.private[COLLECTION].values())


def test_readings_must_travel_as_transient_data(energy: EnergyLedger) -> None:
    batch = json.dumps(energy.signed(("m-1", T0, 1200, 30)))
    args, transient = readings_request(energy.signed(("m-1", T0, 1200, 30)))
    plain = energy.ledger.invoke(CHAINCODE, "energy:SubmitReadings", "1", args[1])
    assert plain.message.startswith("invalid: readings travel as transient data 'readings'")
    other = energy.ledger.invoke(
        CHAINCODE, "energy:SubmitReadings", "1", "0" * 64, transient=transient
    )
    assert other.message == (
        "invalid: the transient readings do not match the SHA-256 in the arguments"
    )
    miscount = energy.ledger.invoke(
        CHAINCODE, "energy:SubmitReadings", "2", args[1], transient=transient
    )
    assert "announce '2' readings" in miscount.message
    assert batch.encode() not in b"".join(energy.ledger.state.values())


def test_identical_resubmission_is_a_no_op(energy: EnergyLedger) -> None:
    assert energy.submit(("m-1", T0, 1200, 30)).ok
    history_before = {key: list(entries) for key, entries in energy.ledger.history.items()}
    again = energy.submit(("m-1", T0, 1200, 30))
    assert again.ok and again.event is not None
    assert json.loads(again.event.payload)["duplicates"] == 1
    assert energy.ledger.history == history_before


def test_conflicting_resubmission_is_refused(energy: EnergyLedger) -> None:
    assert energy.submit(("m-1", T0, 10, 0)).ok
    result = energy.submit(("m-1", T0, 11, 0))
    assert result.message == (
        "conflict: conflicting duplicate reading for m-1 at 2025-01-01T10:15:00Z: the ledger "
        "holds import=10 Wh export=0 Wh for that meter and interval, the batch submits "
        "import=11 Wh export=0 Wh (a stored reading is never replaced, except an estimated "
        "one by an actual one, once)"
    )


def test_registers_must_not_go_backwards(energy: EnergyLedger) -> None:
    assert energy.submit(("m-1", T0, 500, 5)).ok
    later = energy.submit(("m-1", T0 + Q, 499, 5))
    assert later.message.startswith("conflict: register going backwards for meter m-1")
    earlier = energy.submit(("m-1", T0 - Q, 400, 6))
    assert earlier.message.startswith("conflict: register going backwards for meter m-1")
    assert energy.submit(("m-1", T0 + Q, 650, 5)).ok


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("meter_id", "m-404", "not found: unknown meter m-404"),
        ("interval_start", "2025-01-01T10:16:00Z", "invalid: reading 0: "),
        ("interval_start", "2025-01-01T10:15:30Z", "invalid: reading 0: "),
        ("interval_start", "2025-01-01T10:15:00", "invalid: reading 0: "),
        ("interval_start", "2025-01-01T11:15:00+01:00", "invalid: reading 0: "),
        ("interval_start", "yesterday", "invalid: reading 0: "),
        ("import_wh", -1, "invalid: reading 0: "),
        ("export_wh", 1.5, "invalid: reading 0: "),
        ("export_wh", "1e3", "invalid: reading 0: "),
        ("import_wh", 1201, "invalid: reading 0 (m-1 at 2025-01-01T10:15:00Z) refused: "),
    ],
)
def test_a_bad_reading_is_refused_and_writes_nothing(
    energy: EnergyLedger, field: str, value: Any, message: str
) -> None:
    state_before = dict(energy.ledger.state)
    reading = {**energy.signed(("m-1", T0, 1200, 30))[0], field: value}
    result = energy.invoke("SubmitReadings", json.dumps([reading]))
    assert not result.ok
    assert result.message.startswith(message), result.message
    assert energy.ledger.state == state_before


def test_missing_readings_and_meters(energy: EnergyLedger) -> None:
    none = energy.invoke("GetReadings", "m-1", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")
    assert none.ok and none.json() == {"items": [], "bookmark": "", "count": 0}
    assert energy.invoke("GetMeter", "m-2").message.startswith("not found:")
    assert energy.invoke("GetMeter", "m-1").json()["owner"] == OWNER_ID


def test_wrong_number_of_arguments(energy: EnergyLedger) -> None:
    result = energy.invoke("SubmitReadings", "1", "ab", "extra")
    assert result.message == "Incorrect number of params. Expected 2, received 3"


def test_writes_are_per_meter_and_day_not_per_reading(energy: EnergyLedger) -> None:
    day = parse_utc("2025-01-01T00:00:00Z")
    readings = [("m-1", day + i * Q, 10 * i, 0) for i in range(97)]  # a day and its closing
    args, transient = as_sent("SubmitReadings", [json.dumps(energy.signed(*readings))])
    stub = energy.ledger.stub("energy:SubmitReadings", *args, transient=transient)
    assert CHAINCODE.invoke(stub).ok
    # all private: the two days' records (96 and 1 readings), the span, the day index block
    assert {collection for collection, _ in stub.writes.data} == {COLLECTION}
    values = [value for value in stub.writes.data.values() if value is not None]
    records = sorted(len(json.loads(v)) for v in values if v.startswith(b'[{"'))
    assert records == [1, 96]
    assert len(values) == 4


def test_a_reading_in_a_gap_is_checked_against_the_nearest_days_however_far(
    energy: EnergyLedger,
) -> None:
    day = parse_utc("2025-01-01T00:00:00Z")
    assert energy.submit(("m-1", day, 100, 0), ("m-1", day + 600 * DAY, 300, 0)).ok
    assert energy.submit(("m-1", day + 20 * DAY, 150, 0)).ok
    assert "going backwards" in energy.submit(("m-1", day + 300 * DAY, 149, 0)).message
    assert "going backwards" in energy.submit(("m-1", day + 300 * DAY, 301, 0)).message
    assert energy.submit(("m-1", day + 300 * DAY, 200, 0)).ok
    assert "going backwards" in energy.submit(("m-1", day + 10 * DAY, 151, 0)).message


def test_readings_after_the_meters_last_are_checked_against_it_alone(
    energy: EnergyLedger,
) -> None:
    """The usual case, a meter reporting onwards: no range query over its readings, one point
    read of its last one; registers below it are still refused."""
    day = parse_utc("2025-01-01T00:00:00Z")
    first = [("m-1", day + i * Q, 10 * i, 0) for i in range(97)]
    assert energy.invoke("SubmitReadings", json.dumps(energy.signed(*first))).ok
    onwards = [("m-1", day + i * Q, 10 * i, 0) for i in range(97, 101)]
    args, transient = as_sent("SubmitReadings", [json.dumps(energy.signed(*onwards))])
    stub = energy.ledger.stub("energy:SubmitReadings", *args, transient=transient)
    ranges: list[str] = []
    scan = stub._range

    def recorded(collection: str, start: str, end: str, *rest: Any) -> Any:
        ranges.append(start)
        return scan(collection, start, end, *rest)

    stub._range = recorded  # type: ignore[method-assign]
    assert CHAINCODE.invoke(stub).ok
    assert not ranges
    backwards = [("m-1", day + 101 * Q, 5, 0)]
    refused = energy.invoke("SubmitReadings", json.dumps(energy.signed(*backwards)))
    assert refused.message.startswith("conflict: register going backwards"), refused.message


def test_first_readings_rebuild_only_a_days_first_reading(energy: EnergyLedger) -> None:
    """Closing a day needs the next day's midnight only: ``first_readings`` gives each record's
    earliest reading (none for a day without readings), the same as the full record's."""
    day = parse_utc("2025-01-01T00:00:00Z")
    assert energy.submit(*[("m-1", day + i * Q, 10 * i, 0) for i in range(2, 100)]).ok
    stub = energy.ledger.stub("energy:GetReadings")
    fresh = ReadingStore(State(stub))
    firsts = fresh.first_readings([("m-1", day), ("m-1", day + DAY), ("m-1", day + 2 * DAY)])
    assert sorted(firsts) == [("m-1", day), ("m-1", day + DAY)]
    full = ReadingStore(State(stub))
    for pair, signed in firsts.items():
        record = full.day(*pair)
        assert signed == record[min(record)]
        assert full.first_readings([pair]) == {pair: signed}  # from the record already read
    assert firsts[("m-1", day)].reading.interval_start == day + 2 * Q
    assert firsts[("m-1", day + DAY)].reading.interval_start == day + DAY
