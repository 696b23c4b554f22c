"""The MQTT bridge against a real Mosquitto and the devnet: every published reading on the
ledger exactly once, through a SIGKILL mid-batch, a broker restart, and bad messages."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from gridledger.bridge.simulator import (
    INTERVAL_SECONDS,
    SimulatedMeter,
    connect,
    publish_reading,
    readings_for,
)
from gridledger.energy import EnergyClient, MeterSigner
from gridledger_domain import SignedReading, parse_utc
from gridledger_network.mqtt_broker import Broker

from .conftest import Bridges, RunningBridge, poll, simulate

pytestmark = pytest.mark.integration

START = parse_utc("2034-03-02T00:00:00Z")  # days no other module closes or bills


def publish_all(client: mqtt.Client, readings: list[SignedReading]) -> None:
    infos = [publish_reading(client, signed) for signed in readings]
    for info in infos:
        info.wait_for_publish(timeout=30)


def series(fleet: list[SimulatedMeter], intervals: int) -> list[SignedReading]:
    return [r for batch in readings_for(fleet, START, intervals) for r in batch]


def on_ledger(utility: EnergyClient, fleet: list[SimulatedMeter], start: int, end: int) -> set[Any]:
    stored: set[Any] = set()
    for meter in fleet:
        stored.update(key(r) for r in utility.readings(meter.meter_id, start, end).all())
    return stored


def key(signed: SignedReading) -> tuple[Any, ...]:
    r = signed.reading
    return (r.meter_id, r.interval_start, r.import_wh, r.export_wh, signed.signature)


def expected(readings: list[SignedReading]) -> set[Any]:
    return {key(r) for r in readings}


def committed(bridge: RunningBridge, count: int) -> bool:
    return bridge.metrics().get("committed_total", 0) >= count


def test_published_readings_are_on_the_ledger_exactly_once(
    bridges: Bridges, publisher: mqtt.Client, utility: EnergyClient, fleet: list[SimulatedMeter]
) -> None:
    bridge = bridges.start("once", "--batch-size", "16")
    readings = series(fleet, 12)  # 48 readings
    publish_all(publisher, readings)
    publish_all(publisher, readings[:10])  # a head-end sending some again
    poll(lambda: committed(bridge, len(readings)), "48 readings committed")
    end = START + 12 * INTERVAL_SECONDS
    assert on_ledger(utility, fleet, START, end) == expected(readings)
    metrics = bridge.metrics()
    assert metrics["queued_total"] == len(readings)  # nothing written twice
    assert metrics["committed_total"] == len(readings)
    poll(lambda: bridge.metrics()["redelivered_total"] == 10, "the repeats recognised")
    assert bridge.metrics()["received_total"] == len(readings) + 10
    assert metrics["dead_lettered_total"] == 0
    poll(lambda: bridge.metrics()["lag_seconds"] == 0, "lag back to zero")


def test_a_bridge_killed_mid_batch_loses_nothing_and_writes_nothing_twice(
    bridges: Bridges, publisher: mqtt.Client, utility: EnergyClient, fleet: list[SimulatedMeter]
) -> None:
    # batches of 25 that wait up to 30 s: the bridge holds unacknowledged messages when killed
    bridge = bridges.start("killed", "--batch-size", "25", "--max-wait", "30")
    readings = series(fleet, 40)  # 160 readings
    publish_all(publisher, readings)
    poll(lambda: bridge.metrics()["queued_total"] >= 25, "a first batch in the outbox")
    before = bridge.metrics()
    assert before["queued_total"] < len(readings)  # the kill comes mid-stream
    bridge.kill()
    restarted = bridges.start("killed", "--batch-size", "25", "--max-wait", "0.5")
    poll(lambda: committed(restarted, len(readings)), "every reading committed", deadline=120)
    end = START + 40 * INTERVAL_SECONDS
    assert on_ledger(utility, fleet, START, end) == expected(readings)
    assert restarted.metrics()["queued_total"] == len(readings)  # exactly once in the outbox
    with sqlite3.connect(restarted.state / "bridge.sqlite") as db:
        (count,) = db.execute("SELECT COUNT(*) FROM readings").fetchone()
    assert count == len(readings)


def test_the_bridge_carries_on_through_a_broker_restart(
    bridges: Bridges, broker: Broker, utility: EnergyClient, fleet: list[SimulatedMeter]
) -> None:
    bridge = bridges.start("restart", "--batch-size", "10")
    readings = series(fleet, 10)
    first, second = readings[:20], readings[20:]
    client = connect(
        broker.host, broker.port, tls_ca=broker.ca_file, username="bridge", password=broker.password
    )
    publish_all(client, first)
    client.disconnect()
    client.loop_stop()
    poll(lambda: committed(bridge, len(first)), "the first readings committed")
    broker.restart()
    client = connect(
        broker.host, broker.port, tls_ca=broker.ca_file, username="bridge", password=broker.password
    )
    try:
        publish_all(client, second)
    finally:
        client.disconnect()
        client.loop_stop()
    poll(lambda: committed(bridge, len(first) + len(second)), "every reading committed", 90)
    end = START + 10 * INTERVAL_SECONDS
    assert on_ledger(utility, fleet, START, end) == expected(first + second)


def test_malformed_and_forged_messages_are_dead_lettered_with_their_reason(
    bridges: Bridges, broker: Broker, publisher: mqtt.Client, fleet: list[SimulatedMeter]
) -> None:
    received: list[dict[str, Any]] = []
    subscribed = threading.Event()
    watcher = connect(
        broker.host, broker.port, tls_ca=broker.ca_file, username="bridge", password=broker.password
    )
    watcher.on_message = lambda _c, _u, m: received.append(json.loads(m.payload))
    watcher.on_subscribe = lambda *_: subscribed.set()
    watcher.subscribe("gridledger/dead-letters", qos=1)
    assert subscribed.wait(10)
    bridge = bridges.start("dead")
    meter = fleet[0]
    good = meter.signer.sign(START, 100, 0)
    forged = MeterSigner.simulated(meter.meter_id, seed="someone else").sign(START, 5, 0)
    topic = f"meters/{meter.meter_id}/readings"
    bad = {
        "not json": b"{import: 5",
        "missing fields": json.dumps({"meter_id": meter.meter_id}).encode(),
        "forged": json.dumps(forged.to_json_dict()).encode(),
    }
    for payload in bad.values():
        publisher.publish(topic, payload, qos=1).wait_for_publish(10)
    publisher.publish("meters/OTHER/readings", json.dumps(good.to_json_dict()), qos=1)
    poll(lambda: bridge.metrics()["dead_lettered_total"] == 4, "4 dead letters")
    poll(lambda: len(received) == 4, "4 messages on the dead-letter topic")
    reasons = sorted(letter["reason"] for letter in received)
    assert reasons[0].startswith("forged: signature of reading")
    assert reasons[1].startswith("malformed: not JSON")
    assert reasons[2].startswith("malformed: signed reading fields: missing")
    assert reasons[3].startswith(
        f"malformed: topic names meter OTHER, the reading {meter.meter_id}"
    )
    with sqlite3.connect(bridge.state / "bridge.sqlite") as db:
        stored = sorted(r[0] for r in db.execute("SELECT reason FROM dead_letters"))
    assert stored == reasons
    assert bridge.metrics()["queued_total"] == 0
    watcher.disconnect()
    watcher.loop_stop()


def test_the_simulator_registers_its_meters_and_its_readings_reach_the_ledger(
    bridges: Bridges, broker: Broker, utility: EnergyClient, owner: str, test_network: Any
) -> None:
    bridge = bridges.start("simulated")
    prefix = f"SIM{uuid.uuid4().hex[:6]}"
    login = ["--username", broker.username, "--password-file", str(broker.password_file)]
    result = simulate(broker, Path(test_network.home), owner, prefix, "2034-03-05", *login)
    assert result.exit_code == 0, result.output
    assert "published 12 readings of 3 meters" in result.output
    poll(lambda: committed(bridge, 12), "the simulated readings committed")
    start = parse_utc("2034-03-05T00:00:00Z")
    for n in range(3):
        meter_id = f"{prefix}-{n:04d}"
        assert utility.meter(meter_id).owner == owner
        assert len(utility.readings(meter_id, start, start + 86_400).all()) == 4
