"""A signed reading's whole path: client → gateway → endorsement → chaincode (the default
contract, ``energy``) → commit → event, and back through ``EnergyClient.readings`` and
``gridledger energy readings``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from gridledger.energy import MeterSigner, NotFound, SignedReading
from gridledger.gateway import EndorseError, GatewayError
from gridledger_domain.meter_data import readings_request
from harness.devnet import OPERATOR, TestNetwork
from harness.streams import read_until

from .conftest import Market, register_meter

pytestmark = pytest.mark.integration

INTERVAL = datetime(2026, 11, 26, 10, 15, tzinfo=UTC)
NEXT_INTERVAL = INTERVAL + timedelta(minutes=15)
GRIDLEDGER = [sys.executable, "-m", "gridledger.cli.main"]


def batch(*readings: SignedReading) -> tuple[list[str], dict[str, bytes]]:
    """``SubmitReadings``' arguments (count, SHA-256) and transient data (the readings)."""
    return readings_request([r.to_json_dict() for r in readings])


def submit(contract: Any, *readings: SignedReading) -> bytes:
    args, transient = batch(*readings)
    result: bytes = contract.submit("SubmitReadings", *args, transient=transient)
    return result


@pytest.fixture
def default_contract(utility_gateway: Any, test_network: TestNetwork) -> Any:
    """The chaincode's default contract (no contract name given), as the utility."""
    return utility_gateway.network(test_network.channel).contract(test_network.chaincode)


@pytest.fixture
def meter(market: Market) -> MeterSigner:
    return register_meter(market, "carol", f"PATH-{uuid.uuid4().hex[:8]}", "consumption")


def test_reading_is_read_back_after_commit(
    default_contract: Any, meter: MeterSigner, market: Market
) -> None:
    reading = meter.sign(INTERVAL, 1200, 35)
    summary = json.loads(submit(default_contract, reading))
    assert summary == {"submitted": 1, "stored": 1, "duplicates": 0, "certificates_issued": 0}
    assert market.utility.readings(meter.meter_id, INTERVAL, NEXT_INTERVAL).all() == [reading]
    assert market["carol"].readings(meter.meter_id, INTERVAL, INTERVAL).all() == [reading]


def test_reading_event_reaches_a_listener_started_before_the_submit(
    default_contract: Any, meter: MeterSigner, utility_gateway: Any, test_network: TestNetwork
) -> None:
    network = utility_gateway.network(test_network.channel)
    kv = network.contract(test_network.chaincode, "kv")
    height = kv.new_proposal("Noop").endorse().submit().status().block_number

    events = network.chaincode_events(test_network.chaincode, start_block=height + 1)
    args, transient = batch(meter.sign(INTERVAL, 500, 0))
    proposal = default_contract.new_proposal("SubmitReadings", args=args, transient=transient)
    status = proposal.endorse().submit().status()
    assert status.successful

    seen = read_until(events, lambda event: event.transaction_id == status.transaction_id)
    event = seen[-1]
    assert event.transaction_id == status.transaction_id
    assert event.block_number == status.block_number
    assert event.event_name == "ReadingsSubmitted"
    assert json.loads(event.payload)["stored"] == 1


def test_reading_for_an_unregistered_meter_is_refused_with_the_chaincode_message(
    default_contract: Any, market: Market
) -> None:
    ghost = MeterSigner.simulated(f"ghost-{uuid.uuid4().hex[:10]}")
    with pytest.raises(EndorseError) as caught:
        submit(default_contract, ghost.sign(INTERVAL, 1, 0))
    assert f"not found: unknown meter {ghost.meter_id}" in str(caught.value)
    with pytest.raises(GatewayError) as missing:
        default_contract.evaluate(
            "GetReadings", ghost.meter_id, "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z"
        )
    assert f"not found: unknown meter {ghost.meter_id}" in str(missing.value)
    with pytest.raises(NotFound):
        market.utility.readings(ghost.meter_id, INTERVAL, NEXT_INTERVAL).all()


def test_register_going_backwards_is_refused(default_contract: Any, meter: MeterSigner) -> None:
    submit(default_contract, meter.sign(INTERVAL, 1000, 0))
    with pytest.raises(EndorseError) as caught:
        submit(default_contract, meter.sign(NEXT_INTERVAL, 999, 0))
    assert "going backwards" in str(caught.value)
    assert all("going backwards" in detail.message for detail in caught.value.details)


def _cli(test_network: TestNetwork, user: str, *args: str) -> subprocess.CompletedProcess[str]:
    connection = ["--profile", str(test_network.network_json), "--org", OPERATOR, "--user", user]
    return subprocess.run(
        [*GRIDLEDGER, "energy", "readings", *args, *connection],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "120"},
    )


def test_cli_prints_a_meters_readings_as_a_table(
    market: Market, meter: MeterSigner, test_network: TestNetwork
) -> None:
    series = list(meter.sign_series(INTERVAL, [(1200, 35), (1450, 35), (1700, 40), (1900, 40)]))
    market.utility.submit_readings(series)
    shown = _cli(
        test_network,
        "utility",
        meter.meter_id,
        *("--from", "2026-11-26T10:30:00Z", "--to", "2026-11-26T10:45:00Z"),
    )
    assert shown.returncode == 0, shown.stderr
    rows = [line.split()[1:6:2] for line in shown.stdout.splitlines() if "2026-11-26T" in line]
    assert rows == [["2026-11-26T10:30:00Z", "1450", "35"], ["2026-11-26T10:45:00Z", "1700", "40"]]
    first_day = _cli(test_network, "utility", meter.meter_id, "--from", "2026-11-26")
    assert first_day.stdout.count("2026-11-26T") == 4
    refused = _cli(test_network, "dave", meter.meter_id, "--from", "2026-11-26")
    assert refused.returncode == 1
    assert "access denied" in refused.stderr
