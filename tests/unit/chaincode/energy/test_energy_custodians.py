"""Data custodians on the in-memory ledger: registration (utility only, validated, paged
listing), the custodians a meter allows (at registration or later), and readings signed by a
custodian: accepted only from an allowed, registered custodian with a valid signature, the
signer stored with the reading; every refusal clear and writing nothing."""

from __future__ import annotations

import json

import pytest
from gridledger_domain import MeterReading, parse_utc, sign, simulated_meter_key
from harness.energy_ledger import OWNER, OWNER_ID, EnergyLedger

T0 = parse_utc("2025-01-01T10:15:00Z")
Q = 900
UTILITY_DATA = simulated_meter_key("custodian utility-data")
OTHER = simulated_meter_key("custodian other")


@pytest.fixture
def energy() -> EnergyLedger:
    energy = EnergyLedger.with_meters("m-1", "m-2")
    energy.ok("RegisterDataCustodian", "UTIL-DATA", UTILITY_DATA.public_key_pem(), "Utility MDM")
    energy.ok("RegisterDataCustodian", "OTHER", OTHER.public_key_pem(), "Other custodian")
    energy.ok("SetMeterCustodians", "m-1", json.dumps(["UTIL-DATA"]))
    return energy


def vouched(meter: str, at: int, imported: int, signer: str = "UTIL-DATA", key=UTILITY_DATA):  # type: ignore[no-untyped-def]
    return sign(MeterReading(meter, at, imported, 0), key, signer).to_json_dict()


def test_registration_is_validated_utility_only_and_listed_in_pages(energy: EnergyLedger) -> None:
    listed = energy.invoke("ListDataCustodians", "1").json()
    assert [c["custodian_id"] for c in listed["items"]] == ["OTHER"] and listed["bookmark"]
    rest = energy.invoke("ListDataCustodians", "1", listed["bookmark"]).json()
    assert [c["custodian_id"] for c in rest["items"]] == ["UTIL-DATA"]
    assert energy.invoke("GetDataCustodian", "UTIL-DATA").json()["display_name"] == "Utility MDM"
    refusals = {
        ("UTIL-DATA", UTILITY_DATA.public_key_pem(), "again"): "conflict: data custodian UTIL-DATA",
        ("bad id!", UTILITY_DATA.public_key_pem(), "x"): "invalid: data custodian id must be",
        ("NEW", "not a key", "x"): "invalid: data custodian NEW:",
        ("NEW", UTILITY_DATA.public_key_pem(), " "): "invalid: display name must be",
    }  # fmt: skip
    for args, message in refusals.items():
        result = energy.invoke("RegisterDataCustodian", *args)
        assert result.message.startswith(message), result.message
    stranger = energy.invoke(
        "RegisterDataCustodian", "NEW", OTHER.public_key_pem(), "x", identity=OWNER
    )
    assert stranger.message.startswith("access denied:")
    assert energy.invoke("GetDataCustodian", "NEW").message.startswith("not found:")


def test_a_meters_custodians_are_set_by_the_utility_and_must_exist(energy: EnergyLedger) -> None:
    assert energy.invoke("GetMeter", "m-1").json()["custodians"] == ["UTIL-DATA"]
    assert "custodians" not in energy.invoke("GetMeter", "m-2").json()
    unknown = energy.invoke("SetMeterCustodians", "m-2", json.dumps(["UTIL-DATA", "NOPE"]))
    assert unknown.message == "not found: meter m-2: unknown data custodian NOPE"
    twice = energy.invoke("SetMeterCustodians", "m-2", json.dumps(["OTHER", "OTHER"]))
    assert twice.message == "invalid: meter m-2: data custodian named twice: OTHER"
    assert energy.invoke("SetMeterCustodians", "m-2", "[1]").message.startswith("invalid:")
    owner = energy.invoke("SetMeterCustodians", "m-2", '["OTHER"]', identity=OWNER)
    assert owner.message.startswith("access denied:")
    assert "custodians" not in energy.invoke("GetMeter", "m-2").json()
    key = simulated_meter_key("m-3").public_key_pem()
    args = ("m-3", OWNER_ID, "consumption", "grid", "north", key)
    refused = energy.invoke("RegisterMeter", *args, "15", '["NOPE"]')
    assert refused.message == "not found: meter m-3: unknown data custodian NOPE"
    registered = energy.ok("RegisterMeter", *args, "", '["OTHER", "UTIL-DATA"]').json()
    assert registered["custodians"] == ["OTHER", "UTIL-DATA"]
    assert "interval_minutes" not in registered
    cleared = energy.ok("SetMeterCustodians", "m-3", "[]").json()
    assert "custodians" not in cleared


def test_an_allowed_custodians_readings_are_stored_with_their_signer(energy: EnergyLedger) -> None:
    batch = [vouched("m-1", T0, 100), vouched("m-1", T0 + Q, 150)]
    result = energy.invoke("SubmitReadings", json.dumps(batch))
    assert result.ok, result.message
    assert result.json()["stored"] == 2
    stored = energy.invoke("GetReadings", "m-1", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z")
    assert stored.json()["items"] == batch
    assert {item["signer"] for item in stored.json()["items"]} == {"UTIL-DATA"}
    # the meter's own key still works beside it (no signer: the meter signed)
    own = energy.signed(("m-1", T0 + 2 * Q, 160, 0))
    assert energy.invoke("SubmitReadings", json.dumps(own)).ok
    assert "signer" not in own[0]


@pytest.mark.parametrize(
    ("reading", "message"),
    [
        (
            lambda: vouched("m-2", T0, 1),
            "access denied: reading 1 (m-2 at 2025-01-01T10:15:00Z) refused: data custodian "
            "UTIL-DATA is not allowed to vouch for meter m-2",
        ),
        (
            lambda: vouched("m-1", T0, 1, signer="NOPE"),
            "not found: reading 1 (m-1 at 2025-01-01T10:15:00Z) refused: unknown data custodian "
            "NOPE",
        ),
        (
            lambda: vouched("m-1", T0, 1, key=OTHER),
            "invalid: reading 1 (m-1 at 2025-01-01T10:15:00Z) refused: signature of reading "
            "m-1@1735726500 does not verify with data custodian UTIL-DATA's key",
        ),
        (
            lambda: sign(MeterReading("m-1", T0, 1, 0), UTILITY_DATA).to_json_dict(),
            "invalid: reading 1 (m-1 at 2025-01-01T10:15:00Z) refused: signature of reading "
            "m-1@1735726500 does not verify",
        ),
    ],
)
def test_refused_custodian_readings_write_nothing(energy: EnergyLedger, reading, message) -> None:  # type: ignore[no-untyped-def]
    good = vouched("m-1", T0 - Q, 1)
    before = dict(energy.ledger.state)
    result = energy.invoke("SubmitReadings", json.dumps([good, reading()]))
    assert result.message.startswith(message), result.message
    assert dict(energy.ledger.state) == before
