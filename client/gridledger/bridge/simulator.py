"""A head-end simulator: meters with their own keys, realistic load and solar profiles,
publishing signed readings over MQTT, time-compressed.

Consumption meters follow a household load curve (night base, morning and evening peaks);
bidirectional meters add a rooftop solar bell between 06:00 and 20:00 UTC (their export is what
the panels make beyond the load). Intervals are 15 minutes; at ``speed`` X one interval is
published every 900/X seconds of real time (``speed=0``: as fast as possible).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from gridledger.bridge.connection import check_broker, tls_context
from gridledger.energy import MeterSigner
from gridledger_domain import SignedReading
from paho.mqtt.enums import CallbackAPIVersion

INTERVAL_SECONDS = 900


@dataclass(frozen=True)
class SimulatedMeter:
    signer: MeterSigner
    kind: str  # "consumption" or "bidirectional"
    scale: float  # the household's size (1.0: about 10 kWh a day)

    @property
    def meter_id(self) -> str:
        return self.signer.meter_id


def simulated_meters(prefix: str, count: int, seed: str = "simulator") -> list[SimulatedMeter]:
    """``count`` meters; every third one has solar panels; keys derived from ``seed``."""
    rng = random.Random(f"{seed}/{prefix}")
    return [
        SimulatedMeter(
            MeterSigner.simulated(f"{prefix}-{i:04d}", seed=f"{seed}/{prefix}-{i:04d}"),
            "bidirectional" if i % 3 == 2 else "consumption",
            0.6 + rng.random() * 0.9,
        )
        for i in range(count)
    ]


def load_wh(at: int, scale: float, rng: random.Random) -> int:
    """A household's Wh over the 15 minutes from ``at``: base, morning and evening peaks."""
    hour = (at % 86_400) / 3600
    curve = (
        0.25 + 0.5 * math.exp(-((hour - 7.5) ** 2) / 2) + 0.9 * math.exp(-((hour - 19) ** 2) / 4)
    )
    return max(0, round(curve * scale * 250 * (0.85 + 0.3 * rng.random())))


def solar_wh(at: int, scale: float, rng: random.Random) -> int:
    """A rooftop array's Wh over the 15 minutes from ``at`` (zero at night, a bell at noon)."""
    hour = (at % 86_400) / 3600
    if not 6 <= hour <= 20:
        return 0
    bell = math.sin(math.pi * (hour - 6) / 14) ** 2
    return round(bell * scale * 900 * (0.7 + 0.3 * rng.random()))


def readings_for(
    meters: Sequence[SimulatedMeter],
    start: int,
    intervals: int,
    seed: int = 0,
    registers: dict[str, tuple[int, int]] | None = None,
) -> Iterator[list[SignedReading]]:
    """Each interval's signed readings of every meter, interval after interval.

    A reading carries the meter's cumulative import and export registers (Wh) at the interval's
    start; ``registers`` (meter id -> import, export) carries them from one call to the next
    and is updated (default: every meter starts from zero)."""
    rng = random.Random(seed)
    totals = registers if registers is not None else {}
    for n in range(intervals):
        at = start + n * INTERVAL_SECONDS
        batch: list[SignedReading] = []
        for meter in meters:
            imported, exported = totals.get(meter.meter_id, (0, 0))
            batch.append(meter.signer.sign(at, imported, exported))
            load = load_wh(at, meter.scale, rng)
            made = solar_wh(at, meter.scale, rng) if meter.kind == "bidirectional" else 0
            totals[meter.meter_id] = (
                imported + max(0, load - made),
                exported + max(0, made - load),
            )
        yield batch


def connect(
    host: str,
    port: int,
    *,
    tls_ca: Path | None = None,
    username: str | None = None,
    password: str | None = None,
    client_id: str = "",
    cert: Path | None = None,
    key: Path | None = None,
) -> mqtt.Client:
    """A publishing client, connected; ``BrokerRefused`` (one line) when the broker refuses
    it (TLS: its certificate, or ours, ``cert``/``key``; or the user name and password)."""
    context = tls_context(tls_ca, cert, key)
    check_broker(host, port, context, cert=cert, username=username, password=password)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
    if context is not None:
        client.tls_set_context(context)
    if username is not None:
        client.username_pw_set(username, password)
    client.max_inflight_messages_set(1000)
    client.connect(host, port, keepalive=30)
    client.loop_start()
    return client


def publish_reading(client: mqtt.Client, signed: SignedReading) -> mqtt.MQTTMessageInfo:
    topic = f"meters/{signed.reading.meter_id}/readings"
    return client.publish(topic, json.dumps(signed.to_json_dict()), qos=1)


def simulate(
    client: mqtt.Client,
    meters: Sequence[SimulatedMeter],
    start: int,
    intervals: int,
    speed: float,
    on_interval: Callable[[int, int], None] | None = None,
) -> int:
    """Publish ``intervals`` intervals of every meter; wait until the broker has each; count."""
    published = 0
    pace = INTERVAL_SECONDS / speed if speed > 0 else 0.0
    began = time.monotonic()
    registers: dict[str, tuple[int, int]] = {}
    for n, batch in enumerate(readings_for(meters, start, intervals, registers=registers)):
        infos = [publish_reading(client, signed) for signed in batch]
        for info in infos:
            info.wait_for_publish(timeout=30)
        published += len(infos)
        if on_interval is not None:
            on_interval(n, published)
        if pace:
            delay = began + (n + 1) * pace - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # pacing the simulated clock, not synchronisation
    return published
