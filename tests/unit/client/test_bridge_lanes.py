"""The MQTT bridge's lanes: a meter always in the same lane, a lane's batches only its meters,
one meter's readings in the order received, batches enqueued in their lane's outbox."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import pytest
from gridledger.bridge import (
    Batcher,
    BridgeJournal,
    Incoming,
    LaneCountChanged,
    Lanes,
    classify,
    lane_of,
)
from gridledger.bridge.lanes import meter_of
from gridledger.energy import MeterSigner
from gridledger.outbox import Outbox
from gridledger_domain import parse_utc


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_meter_s_lane_is_stable_and_lanes_are_all_used() -> None:
    # CRC-32 of the id: the same in every process (Python's hash() is salted per process)
    assert [lane_of("MTR-0001", 4), lane_of("ING-0000", 8), lane_of("a", 4)] == [0, 4, 3]
    assert lane_of("MTR-0001", 1) == 0
    meters = [f"ING-{n:04d}" for n in range(200)]
    for lanes in (2, 4, 8):
        counts = [0] * lanes
        for meter in meters:
            counts[lane_of(meter, lanes)] += 1
        assert min(counts) >= 200 // lanes // 2  # roughly even
    with pytest.raises(ValueError):
        lane_of("MTR-0001", 0)


def test_the_meter_of_a_message_comes_from_its_topic_or_its_payload() -> None:
    assert meter_of(Incoming("meters/M-7/readings", b"{}")) == "M-7"
    assert meter_of(Incoming("site/readings", b'{"meter_id": "M-8"}')) == "M-8"
    assert meter_of(Incoming("site/readings", b"{not json")) == ""
    assert meter_of(Incoming("site/readings", b"[1]")) == ""


def lanes_of(
    count: int,
    persist: Callable[[int, Sequence[Incoming]], None],
    ack: Callable[[Incoming], None],
    size: int,
    clock: Clock,
) -> Lanes:
    """As the bridge makes them: lane n's batcher writes with ``persist(n, batch)``."""
    return Lanes([Batcher(partial(persist, n), ack, size=size, clock=clock) for n in range(count)])


def message(meter: str, n: int) -> Incoming:
    return Incoming(f"meters/{meter}/readings", f"{meter}:{n}".encode(), mid=n, qos=1)


def test_each_lane_batches_only_its_meters_in_the_order_received() -> None:
    written: list[tuple[int, list[str]]] = []
    acked: list[int] = []
    clock = Clock()
    lanes = lanes_of(
        4,
        lambda lane, batch: written.append((lane, [m.payload.decode() for m in batch])),
        lambda m: acked.append(m.mid),
        size=5,
        clock=clock,
    )
    meters = [f"M-{n}" for n in range(12)]
    sent = 0
    for _interval in range(6):
        for meter in meters:
            lanes.add(message(meter, sent))
            sent += 1
    clock.now += 1.0
    lanes.poll()
    assert lanes.pending == 0
    assert sorted(acked) == list(range(sent))  # everything written, then acknowledged
    order: dict[str, list[int]] = {}
    for lane, batch in written:
        assert 1 <= len(batch) <= 5
        for text in batch:
            meter, n = text.split(":")
            assert lane_of(meter, 4) == lane  # a lane holds its meters only
            order.setdefault(meter, []).append(int(n))
    for meter in meters:
        assert order[meter] == sorted(order[meter])  # one meter's readings stay in order
        assert len(order[meter]) == 6


def test_a_lane_that_cannot_write_holds_back_only_its_own_messages() -> None:
    failing = lane_of("M-0", 2)
    acked: list[str] = []

    def persist(lane: int, batch: Sequence[Incoming]) -> None:
        if lane == failing:
            raise OSError("disk full")

    lanes = lanes_of(2, persist, lambda m: acked.append(m.topic), size=1, clock=Clock())
    other = next(f"M-{n}" for n in range(1, 50) if lane_of(f"M-{n}", 2) != failing)
    lanes.add(message("M-0", 1))
    lanes.add(message(other, 2))
    assert acked == [f"meters/{other}/readings"]
    assert lanes.pending == 1
    with pytest.raises(ValueError):
        Lanes([])


def reading_message(signer: MeterSigner, at: str) -> Incoming:
    signed = signer.sign(parse_utc(at), 10, 0)
    return Incoming(
        f"meters/{signer.meter_id}/readings",
        json.dumps(signed.to_json_dict()).encode(),
        received_at=1.0,
    )


def test_a_lane_s_batch_goes_to_its_own_outbox_and_the_lane_count_is_kept(
    tmp_path: Path,
) -> None:
    meters = [MeterSigner.simulated(f"LANE-{n}", seed="lanes") for n in range(6)]
    keys = {m.meter_id: m.key.private_key.public_key() for m in meters}
    outboxes = [Outbox.open(tmp_path / f"outbox-{n}.sqlite") for n in range(3)]
    journal = BridgeJournal(tmp_path / "bridge.sqlite", outboxes, channel="c", chaincode="cc")
    for meter in meters:
        lane = lane_of(meter.meter_id, 3)
        message_ = reading_message(meter, "2025-06-21T00:00:00Z")
        journal.record([classify(message_, keys.get)], lane=lane)
    for lane, outbox in enumerate(outboxes):
        for item in outbox.items():
            for reading in json.loads(item.request.transient["readings"]):
                assert lane_of(reading["meter_id"], 3) == lane
    assert sum(len(o.items()) for o in outboxes) == 6
    journal.close()
    # batches of 3 lanes are pending: another lane count would put a meter in two lanes
    with pytest.raises(LaneCountChanged, match="--lanes 3"):
        BridgeJournal(tmp_path / "bridge.sqlite", outboxes[:2], channel="c", chaincode="cc")
    again = BridgeJournal(tmp_path / "bridge.sqlite", outboxes, channel="c", chaincode="cc")
    assert again.recover() == 0
    again.close()
    for outbox in outboxes:
        outbox.close()
