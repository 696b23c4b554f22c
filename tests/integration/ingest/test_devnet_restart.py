"""The MQTT bridge through a devnet restart: the devnet is stopped while readings are published
(transactions in flight, batches waiting in the lanes' outboxes), started again on the same
ports, and every published reading is on the ledger exactly once.

A devnet of its own (the session's is shared by every other test), the session's Mosquitto.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from gridledger.bridge.simulator import INTERVAL_SECONDS, SimulatedMeter, simulated_meters
from gridledger.energy import EnergyClient, Role
from gridledger_network.devnet.launcher import start_devnet
from gridledger_network.mqtt_broker import Broker
from harness.devnet import OPERATOR, PROSUMER, TestNetwork, running_test_network

from .conftest import Bridges, poll
from .test_mqtt_bridge import START, committed, expected, on_ledger, publish_all, series

pytestmark = pytest.mark.integration


@pytest.fixture
def own_network(tmp_path: Path) -> Iterator[TestNetwork]:
    with running_test_network(tmp_path / "devnet", with_node_chaincode=False) as network:
        yield network


def test_every_published_reading_is_on_the_ledger_once_through_a_devnet_restart(
    own_network: TestNetwork, broker: Broker, publisher: mqtt.Client, tmp_path: Path
) -> None:
    profile = own_network.profile
    with (
        EnergyClient.connect(profile, OPERATOR, "utility") as utility,
        EnergyClient.connect(profile, PROSUMER, "alice") as alice,
    ):
        me = alice.whoami()
        utility.register_participant(me, Role.PROSUMER, zone="south", display_name="Alice")
        fleet: list[SimulatedMeter] = simulated_meters(f"DR{uuid.uuid4().hex[:6]}", 8)
        for meter in fleet:
            source = "solar" if meter.kind == "bidirectional" else "grid"
            utility.register_meter(
                meter.meter_id,
                me.participant_id,
                meter.kind,
                source,
                "south",
                meter.signer.public_key_pem,
            )
    bridges = Bridges(broker, own_network.home, tmp_path / "bridges")
    try:
        bridge = bridges.start("devnet-restart", "--batch-size", "20", "--lanes", "4")
        readings = series(fleet, 30)  # 240 readings
        first, during, after = readings[:80], readings[80:160], readings[160:]
        publish_all(publisher, first)
        poll(lambda: committed(bridge, 20), "a first batch committed")
        # the devnet stops while the next readings are being published
        publishing = threading.Thread(target=publish_all, args=(publisher, during))
        publishing.start()
        assert own_network.devnet is not None
        own_network.devnet.stop()
        own_network.devnet = None
        publishing.join()
        publish_all(publisher, after)
        # all of them taken in (journaled, in the outboxes) while no peer answers
        poll(lambda: bridge.metrics()["queued_total"] == len(readings), "every reading queued")
        assert bridge.metrics()["committed_total"] < len(readings)
        own_network.devnet = start_devnet(own_network.home, timeout=60.0)
        poll(lambda: committed(bridge, len(readings)), "every reading committed", deadline=180)
        metrics = bridge.metrics()
        assert metrics["queued_total"] == len(readings)  # nothing written twice
        assert metrics["committed_total"] == len(readings)
        assert metrics["failed_total"] == 0
        assert metrics["dead_lettered_total"] == 0
    finally:
        bridges.stop_all()
    end = START + 30 * INTERVAL_SECONDS
    with EnergyClient.connect(own_network.profile, OPERATOR, "utility") as utility:
        assert on_ledger(utility, fleet, START, end) == expected(readings)
        for meter in fleet:  # exactly once: 30 readings a meter, no more
            assert len(utility.readings(meter.meter_id, START, end).all()) == 30
