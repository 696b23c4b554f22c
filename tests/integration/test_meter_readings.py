"""A meter reading's whole path: client → gateway → endorsement → chaincode → commit → event."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gridledger.gateway import EndorseError, GatewayError
from harness.devnet import TestNetwork
from harness.streams import read_until

pytestmark = pytest.mark.integration

INTERVAL = "2026-11-26T10:15:00Z"
NEXT_INTERVAL = "2026-11-26T10:30:00Z"


@pytest.fixture
def meters(utility_gateway: Any, test_network: TestNetwork) -> Any:
    """The chaincode's default contract (``meters``), as the utility."""
    return utility_gateway.network(test_network.channel).contract(test_network.chaincode)


@pytest.fixture
def meter_id(meters: Any, unique_key: str) -> str:
    meter = f"m-{unique_key[-12:-1]}"
    meters.submit("RegisterMeter", meter, "alice", "bidirectional")
    return meter


def test_reading_is_read_back_after_commit(meters: Any, meter_id: str) -> None:
    submitted = json.loads(meters.submit("SubmitReading", meter_id, INTERVAL, "1200", "35"))
    assert submitted == {
        "meterId": meter_id,
        "intervalStart": INTERVAL,
        "importWh": 1200,
        "exportWh": 35,
    }
    assert json.loads(meters.evaluate("GetReading", meter_id, INTERVAL)) == submitted


def test_reading_event_reaches_a_listener_started_before_the_submit(
    meters: Any, meter_id: str, utility_gateway: Any, test_network: TestNetwork
) -> None:
    network = utility_gateway.network(test_network.channel)
    kv = network.contract(test_network.chaincode, "kv")
    height = kv.new_proposal("Noop").endorse().submit().status().block_number

    events = network.chaincode_events(test_network.chaincode, start_block=height + 1)
    commit = meters.new_proposal("SubmitReading", args=[meter_id, INTERVAL, "500", "0"])
    status = commit.endorse().submit().status()
    assert status.successful

    seen = read_until(events, lambda event: event.transaction_id == status.transaction_id)
    event = seen[-1]
    assert event.transaction_id == status.transaction_id
    assert event.block_number == status.block_number
    assert event.event_name == "ReadingSubmitted"
    payload = json.loads(event.payload)
    assert (payload["meterId"], payload["intervalStart"], payload["importWh"]) == (
        meter_id,
        INTERVAL,
        500,
    )


def test_reading_for_an_unregistered_meter_is_refused_with_the_chaincode_message(
    meters: Any, unique_key: str
) -> None:
    meter = f"ghost-{unique_key[-11:-1]}"
    with pytest.raises(EndorseError) as caught:
        meters.submit("SubmitReading", meter, INTERVAL, "1", "0")
    assert f"meter {meter} is not registered" in str(caught.value)
    with pytest.raises(GatewayError) as missing:
        meters.evaluate("GetReading", meter, INTERVAL)
    assert f"no reading for meter {meter}" in str(missing.value)


def test_register_going_backwards_is_refused(meters: Any, meter_id: str) -> None:
    meters.submit("SubmitReading", meter_id, INTERVAL, "1000", "0")
    with pytest.raises(EndorseError) as caught:
        meters.submit("SubmitReading", meter_id, NEXT_INTERVAL, "999", "0")
    assert "goes backwards" in str(caught.value)
    assert all("goes backwards" in detail.message for detail in caught.value.details)
