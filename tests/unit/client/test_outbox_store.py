"""The outbox file on its own: durable items, idempotency keys, attempts, give-ups."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from gridledger.outbox import (
    AttemptOutcome,
    ItemState,
    Outbox,
    OutboxConflict,
    TransactionRequest,
    default_outbox_path,
)


def request(value: str = "v") -> TransactionRequest:
    return TransactionRequest.of(
        "energy",
        "gridledger",
        "Put",
        ["k", value.encode()],
        contract="kv",
        transient={"secret": b"\x00\x01"},
        endorsing_orgs=["GridOperatorMSP"],
        collections={},  # writes no private data collection
    )


def test_request_round_trips_through_its_json() -> None:
    original = request()
    assert TransactionRequest.from_json(original.to_json()) == original
    assert original.qualified_function == "kv:Put"
    assert original.args == (b"k", b"v")


def test_items_survive_reopening_and_keys_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "box" / "outbox.sqlite"
    with Outbox.open(path) as outbox:
        first = outbox.enqueue_many([("key-1", request())])[0]
        assert outbox.enqueue_many([("key-1", request())])[0].id == first.id
        with pytest.raises(OutboxConflict):
            outbox.enqueue_many([("key-1", request("other"))])
        with pytest.raises(ValueError):
            outbox.enqueue("", "energy", "gridledger", "Put")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with Outbox.open(path) as outbox:
        (item,) = outbox.items()
        assert item.idempotency_key == "key-1" and item.request == request()
        assert item.state is ItemState.PENDING and outbox.pending_count() == 1


def test_enqueue_many_is_all_or_nothing(tmp_path: Path) -> None:
    with Outbox.open(tmp_path / "o.sqlite") as outbox:
        outbox.enqueue_many([("a", request())])
        with pytest.raises(OutboxConflict):
            outbox.enqueue_many([("b", request()), ("a", request("changed"))])
        assert [item.idempotency_key for item in outbox.items()] == ["a"]


def test_attempts_outcomes_and_give_ups_are_recorded(tmp_path: Path) -> None:
    with Outbox.open(tmp_path / "o.sqlite") as outbox:
        committed, failed = outbox.enqueue_many([("c", request()), ("f", request("x"))])
        outbox.begin_attempt(committed.id, "tx-1")
        assert outbox.in_doubt(committed.id) == ["tx-1"]
        outbox.settle_attempt(committed.id, "tx-1", AttemptOutcome.LOST)
        outbox.begin_attempt(committed.id, "tx-2")
        outbox.mark_committed(committed.id, "tx-2", 7, b"ok")
        item = outbox.get(committed.id)
        assert (item.state, item.transaction_id, item.block_number, item.result) == (
            ItemState.COMMITTED,
            "tx-2",
            7,
            b"ok",
        )
        assert [(tx, o) for tx, o, _ in outbox.transactions(committed.id)] == [
            ("tx-1", AttemptOutcome.LOST),
            ("tx-2", AttemptOutcome.VALID),
        ]
        outbox.mark_failed(failed.id, "chaincode rejected the transaction: no", "tx-3")
        (give_up,) = outbox.failures()
        assert give_up.item_id == failed.id and "rejected" in give_up.reason
        assert "kv:Put" in str(give_up)
        outbox.retry_failed(failed.id, transient={"secret": b"\x00\x01"})
        assert outbox.get(failed.id).state is ItemState.PENDING and outbox.failures() == []


def test_due_items_come_oldest_first_and_respect_their_schedule(tmp_path: Path) -> None:
    with Outbox.open(tmp_path / "o.sqlite") as outbox:
        a, b = outbox.enqueue_many([("a", request()), ("b", request("b"))])
        outbox.reschedule(a.id, next_attempt_at=a.enqueued_at + 3600, error="later", strike=True)
        assert [item.id for item in outbox.due(b.enqueued_at + 1, 10)] == [b.id]
        assert outbox.get(a.id).strikes == 1 and outbox.get(a.id).last_error == "later"
        assert outbox.next_due_at() == b.next_attempt_at


def test_default_path_follows_the_data_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GRIDLEDGER_DATA_HOME", str(tmp_path / "data"))
    assert default_outbox_path() == tmp_path / "data" / "outbox.sqlite"
    monkeypatch.delenv("GRIDLEDGER_DATA_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_outbox_path() == tmp_path / "xdg" / "gridledger" / "outbox.sqlite"
