"""On the devnet, end to end: a reading signed with another meter's key is refused (and never
retried by the client); the same reading signed by its own meter is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gridledger.gateway import EndorseError
from gridledger.retry import Disposition, classify
from gridledger_domain import MeterReading, sign, simulated_meter_key
from gridledger_domain.meter_data import readings_request, registration_transient
from harness.devnet import TestNetwork

pytestmark = pytest.mark.integration

INTERVAL_START = 1748736000  # 2025-06-01T00:00:00Z


def test_a_reading_signed_with_another_meters_key_is_refused(
    utility_gateway: Any, test_network: TestNetwork, unique_key: str
) -> None:
    energy = utility_gateway.network(test_network.channel).contract(
        test_network.chaincode, "energy"
    )
    suffix = unique_key[-11:-1]
    meter_id, owner_subject = f"M-SIG-{suffix}", f"CN=owner-{suffix}"
    energy.submit(
        "RegisterParticipant",
        "ProsumerMSP",
        owner_subject,
        "consumer",
        "north",
        "O",
        transient=registration_transient(),
    )
    owner = f"ProsumerMSP::{owner_subject}"
    meter_key = simulated_meter_key(meter_id)
    energy.submit(
        "RegisterMeter",
        meter_id,
        owner,
        "consumption",
        "grid",
        "north",
        meter_key.public_key_pem(),
    )
    reading = MeterReading(meter_id, INTERVAL_START, 100, 0)
    impostor = sign(reading, simulated_meter_key(f"another meter {suffix}")).to_json_dict()
    with pytest.raises(EndorseError) as refused:
        args, transient = readings_request([impostor])
        energy.submit("SubmitReadings", *args, transient=transient)
    assert "does not verify" in str(refused.value)
    assert classify(refused.value).disposition is Disposition.REJECTED

    genuine = sign(reading, meter_key).to_json_dict()
    args, transient = readings_request([genuine])
    stored = json.loads(energy.submit("SubmitReadings", *args, transient=transient))
    assert stored["stored"] == 1
