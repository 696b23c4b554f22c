"""The MQTT bridge's batching and its rule: acknowledge only what is durably written."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from gridledger.bridge import Batcher, BridgeJournal, Classified, Incoming, classify
from gridledger.energy import MeterSigner
from gridledger.outbox import Outbox
from gridledger_domain import parse_utc


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def message(n: int) -> Incoming:
    return Incoming("meters/M/readings", f"{n}".encode(), mid=n, qos=1)


def test_a_full_batch_is_written_then_acknowledged_in_order() -> None:
    events: list[str] = []
    batcher = Batcher(
        lambda batch: events.append(f"write {[m.mid for m in batch]}"),
        lambda m: events.append(f"ack {m.mid}"),
        size=3,
        max_wait=1.0,
        clock=Clock(),
    )
    for n in (1, 2, 3, 4):
        batcher.add(message(n))
    assert events == ["write [1, 2, 3]", "ack 1", "ack 2", "ack 3"]
    assert batcher.pending == 1


def test_a_partial_batch_waits_at_most_max_wait() -> None:
    clock = Clock()
    written: list[list[int]] = []
    batcher = Batcher(
        lambda batch: written.append([m.mid for m in batch]),
        lambda m: None,
        size=10,
        max_wait=1.0,
        clock=clock,
    )
    batcher.add(message(1))
    clock.now += 0.5
    batcher.add(message(2))
    batcher.poll()
    assert written == []
    assert batcher.due_in() == pytest.approx(0.5)
    clock.now += 0.5
    batcher.poll()
    assert written == [[1, 2]]
    assert batcher.due_in() is None


def test_nothing_is_acknowledged_when_the_write_fails() -> None:
    clock = Clock()
    acked: list[int] = []
    fail = [True]

    def persist(batch: Sequence[Incoming]) -> None:
        if fail[0]:
            raise OSError("disk full")

    batcher = Batcher(persist, lambda m: acked.append(m.mid), size=2, max_wait=1.0, clock=clock)
    batcher.add(message(1))
    batcher.add(message(2))
    assert acked == []
    assert batcher.pending == 2
    fail[0] = False
    clock.now += 1.0
    batcher.poll()
    assert acked == [1, 2]
    assert batcher.pending == 0


def reading_message(signer: MeterSigner, at: str, imp: int, topic: str = "") -> Incoming:
    signed = signer.sign(parse_utc(at), imp, 0)
    return Incoming(
        topic or f"meters/{signer.meter_id}/readings",
        json.dumps(signed.to_json_dict()).encode(),
        received_at=1.0,
    )


def test_journal_writes_a_redelivered_reading_once_and_dead_letters(tmp_path: Path) -> None:
    meter = MeterSigner.simulated("UNIT-1", seed="unit bridge")
    other = MeterSigner.simulated("UNIT-1", seed="a forger")
    keys = {"UNIT-1": meter.key.private_key.public_key()}
    outbox = Outbox.open(tmp_path / "outbox.sqlite")
    journal = BridgeJournal(tmp_path / "bridge.sqlite", outbox, channel="energy", chaincode="cc")
    first = reading_message(meter, "2025-06-21T00:00:00Z", 10)
    batch = [
        first,
        first,  # redelivered within the batch
        reading_message(meter, "2025-06-21T00:15:00Z", 11),
        reading_message(other, "2025-06-21T00:30:00Z", 12),  # forged
        Incoming("meters/UNIT-1/readings", b"{not json", received_at=1.0),
        reading_message(meter, "2025-06-21T00:45:00Z", 13, topic="meters/UNIT-2/readings"),
        reading_message(MeterSigner.simulated("NOPE"), "2025-06-21T00:00:00Z", 1),
    ]
    recorded = journal.record([classify(m, keys.get) for m in batch])
    assert (recorded.new, recorded.duplicates) == (2, 1)
    reasons = sorted(d.reason.split(":")[0] for d in recorded.dead_letters)
    assert reasons == ["forged", "malformed", "malformed", "unknown meter"]
    assert len(outbox.items()) == 1
    [item] = outbox.items()
    assert len(json.loads(item.request.transient["readings"])) == 2
    # the broker redelivers the whole batch: nothing new is written
    again = journal.record([classify(m, keys.get) for m in batch])
    assert (again.batch_key, again.new, again.duplicates) == (None, 0, 3)
    assert len(outbox.items()) == 1
    # another signature for an instant already taken in: dead-lettered, never sent
    conflicting = reading_message(meter, "2025-06-21T00:00:00Z", 99)
    third = journal.record([classify(conflicting, keys.get)])
    assert third.dead_letters[0].reason.startswith("conflict:")
    totals = journal.totals()
    assert (totals.queued, totals.pending, totals.dead_lettered) == (2, 2, 5)
    journal.close()
    outbox.close()


def test_a_batch_journaled_before_a_crash_is_enqueued_at_restart(tmp_path: Path) -> None:
    meter = MeterSigner.simulated("UNIT-2", seed="unit bridge")
    outbox = Outbox.open(tmp_path / "outbox.sqlite")
    journal = BridgeJournal(tmp_path / "bridge.sqlite", outbox, channel="energy", chaincode="cc")
    signed = reading_message(meter, "2025-06-21T00:00:00Z", 10)
    journal._enqueue = lambda key: None  # type: ignore[method-assign]  # "crash" before it
    journal.record(
        [
            Classified(
                signed, classify(signed, {"UNIT-2": meter.key.private_key.public_key()}.get).reading
            )
        ]
    )
    assert outbox.items() == []
    restarted = BridgeJournal(tmp_path / "bridge.sqlite", outbox, channel="energy", chaincode="cc")
    assert restarted.recover() == 1
    assert restarted.recover() == 0
    assert len(outbox.items()) == 1
    restarted.close()
    journal.close()
    outbox.close()


def test_estimated_meter_readings_pass_and_custodian_signed_ones_are_dead_lettered() -> None:
    from gridledger.energy import CustodianSigner
    from gridledger_domain import MeterReading

    meter = MeterSigner.simulated("UNIT-3", seed="unit bridge 3")
    keys = {"UNIT-3": meter.key.private_key.public_key()}
    at = parse_utc("2025-06-21T00:15:00Z")
    estimated = meter.sign(at, 5, 0, estimated=True)
    verdict = classify(
        Incoming("meters/UNIT-3/readings", json.dumps(estimated.to_json_dict()).encode()),
        keys.get,
    )
    assert verdict.reading == estimated and verdict.reading.reading.estimated
    vouched = CustodianSigner("MDM", meter.key).sign_reading(MeterReading("UNIT-3", at, 5, 0))
    refused = classify(
        Incoming("meters/UNIT-3/readings", json.dumps(vouched.to_json_dict()).encode()), keys.get
    )
    assert refused.reason.startswith("malformed: signed by data custodian MDM")
