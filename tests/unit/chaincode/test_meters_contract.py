"""The meters contract against the in-memory ledger."""

from __future__ import annotations

import json

import pytest
from gridledger_chaincode.contract import ContractRouter
from gridledger_chaincode.contracts import build_chaincode
from gridledger_chaincode.shim.keys import create_composite_key
from gridledger_chaincode.testing import InMemoryLedger


@pytest.fixture
def chaincode() -> ContractRouter:
    return build_chaincode()


@pytest.fixture
def ledger(chaincode: ContractRouter) -> InMemoryLedger:
    ledger = InMemoryLedger()
    assert ledger.invoke(chaincode, "RegisterMeter", "m-1", "alice", "bidirectional").ok
    return ledger


def test_register_meter_stores_it_and_emits_one_event(chaincode: ContractRouter) -> None:
    ledger = InMemoryLedger()
    result = ledger.invoke(chaincode, "meters:RegisterMeter", "m-9", "bob", "production")
    assert result.ok, result.message
    stored = json.loads(ledger.state[create_composite_key("meter", ["m-9"])])
    assert stored == result.json()
    assert stored["owner"] == "bob" and stored["kind"] == "production"
    assert stored["status"] == "active" and stored["registeredBy"] == "GridOperatorMSP"
    assert result.event is not None and result.event.name == "MeterRegistered"
    assert json.loads(result.event.payload) == stored


def test_register_meter_twice_is_refused(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    result = ledger.invoke(chaincode, "RegisterMeter", "m-1", "alice", "bidirectional")
    assert result.message == "meter m-1 is already registered"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", "alice", "production"), "meterId '' is invalid"),
        (("m 1", "alice", "production"), "meterId 'm 1' is invalid"),
        (("m-2", "", "production"), "owner must be 1-128 printable characters"),
        (("m-2", "alice", "nuclear-fusion"), "kind 'nuclear-fusion' is not one of"),
    ],
)
def test_register_meter_validates_input(
    chaincode: ContractRouter, args: tuple[str, ...], message: str
) -> None:
    ledger = InMemoryLedger()
    result = ledger.invoke(chaincode, "RegisterMeter", *args)
    assert not result.ok and result.message.startswith(message)
    assert ledger.state == {} and result.event is None


def test_submit_and_get_reading(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    result = ledger.invoke(chaincode, "SubmitReading", "m-1", "2025-01-01T10:15:00Z", "1200", "30")
    assert result.ok, result.message
    reading = {
        "meterId": "m-1",
        "intervalStart": "2025-01-01T10:15:00Z",
        "importWh": 1200,
        "exportWh": 30,
    }
    assert result.json() == reading
    assert result.event is not None and result.event.name == "ReadingSubmitted"
    assert json.loads(result.event.payload) == {**reading, "written": True}
    # Any ISO-8601 spelling of the same UTC instant finds it.
    found = ledger.evaluate(chaincode, "GetReading", "m-1", "2025-01-01T10:15:00+00:00")
    assert found.json() == reading
    key = create_composite_key("reading", ["m-1", "2025-01-01T10:15:00Z"])
    assert json.loads(ledger.state[key]) == reading


def test_identical_resubmission_is_a_no_op(
    chaincode: ContractRouter, ledger: InMemoryLedger
) -> None:
    args = ("m-1", "2025-01-01T10:15:00Z", "1200", "30")
    assert ledger.invoke(chaincode, "SubmitReading", *args).ok
    history_before = dict(ledger.history)
    again = ledger.invoke(chaincode, "SubmitReading", *args)
    assert again.ok
    assert again.event is not None and json.loads(again.event.payload)["written"] is False
    assert ledger.history == history_before


def test_conflicting_resubmission_is_refused(
    chaincode: ContractRouter, ledger: InMemoryLedger
) -> None:
    assert ledger.invoke(chaincode, "SubmitReading", "m-1", "2025-01-01T10:15:00Z", "10", "0").ok
    result = ledger.invoke(chaincode, "SubmitReading", "m-1", "2025-01-01T10:15:00Z", "11", "0")
    assert result.message.startswith("meter m-1 already has a different reading")


def test_registers_must_not_go_backwards(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    assert ledger.invoke(chaincode, "SubmitReading", "m-1", "2025-01-01T10:15:00Z", "500", "5").ok
    later = ledger.invoke(chaincode, "SubmitReading", "m-1", "2025-01-01T10:30:00Z", "499", "5")
    assert later.message.startswith("importWh of meter m-1 goes backwards at 2025-01-01T10:30:00Z")
    earlier = ledger.invoke(chaincode, "SubmitReading", "m-1", "2025-01-01T10:00:00Z", "400", "6")
    assert earlier.message.startswith("exportWh of meter m-1 goes backwards after")
    assert ledger.invoke(chaincode, "SubmitReading", "m-1", "2025-01-01T10:30:00Z", "650", "5").ok


@pytest.mark.parametrize(
    ("meter", "start", "import_wh", "export_wh", "message"),
    [
        ("m-404", "2025-01-01T10:15:00Z", "1", "0", "meter m-404 is not registered"),
        (
            "m-1",
            "2025-01-01T10:16:00Z",
            "1",
            "0",
            "intervalStart '2025-01-01T10:16:00Z' is not aligned",
        ),
        (
            "m-1",
            "2025-01-01T10:15:30Z",
            "1",
            "0",
            "intervalStart '2025-01-01T10:15:30Z' is not aligned",
        ),
        (
            "m-1",
            "2025-01-01T10:15:00",
            "1",
            "0",
            "intervalStart '2025-01-01T10:15:00' must be in UTC",
        ),
        (
            "m-1",
            "2025-01-01T11:15:00+01:00",
            "1",
            "0",
            "intervalStart '2025-01-01T11:15:00+01:00' must be in UTC",
        ),
        ("m-1", "yesterday", "1", "0", "intervalStart 'yesterday' is not an ISO-8601 time"),
        ("m-1", "2025-01-01T10:15:00Z", "-1", "0", "importWh must not be negative"),
        ("m-1", "2025-01-01T10:15:00Z", "1", "1.5", "argument exportWh: expected an integer"),
        ("m-1", "2025-01-01T10:15:00Z", "1", "1e3", "argument exportWh: expected an integer"),
    ],
)
def test_submit_reading_validates_input_and_writes_nothing(
    chaincode: ContractRouter,
    ledger: InMemoryLedger,
    meter: str,
    start: str,
    import_wh: str,
    export_wh: str,
    message: str,
) -> None:
    state_before = dict(ledger.state)
    result = ledger.invoke(chaincode, "SubmitReading", meter, start, import_wh, export_wh)
    assert not result.ok
    assert result.message.startswith(message), result.message
    assert ledger.state == state_before


def test_missing_reading_and_meter(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    missing = ledger.evaluate(chaincode, "GetReading", "m-1", "2025-01-01T10:15:00Z")
    assert missing.message == "no reading for meter m-1 at 2025-01-01T10:15:00Z"
    assert ledger.evaluate(chaincode, "GetMeter", "m-2").message == "meter m-2 does not exist"
    assert ledger.evaluate(chaincode, "GetMeter", "m-1").json()["owner"] == "alice"


def test_wrong_number_of_arguments(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    result = ledger.invoke(chaincode, "SubmitReading", "m-1", "2025-01-01T10:15:00Z", "1")
    assert result.message == "Incorrect number of params. Expected 4, received 3"
