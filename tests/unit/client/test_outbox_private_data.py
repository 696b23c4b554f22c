"""The outbox and private data: the client's guard at enqueue, ``collections`` kept with the
request, and transient values erased from the file once an item is finished."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import pytest
from gridledger.gateway import PrivateDataLeakError
from gridledger.outbox import ItemState, Outbox, TransactionRequest

OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"
SECRET = b"meter MTR-7 read 1234 Wh"


def private_put(
    endorsers: list[str], collections: dict[str, list[str]] | None
) -> TransactionRequest:
    return TransactionRequest.of(
        "energy",
        "gridledger",
        "PutPrivate",
        ["operatorPrivate", "k"],
        contract="kv",
        transient={"value": SECRET},
        endorsing_orgs=endorsers,
        collections=collections,
    )


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_collections_round_trip_and_an_unsaid_one_keeps_the_old_fingerprint() -> None:
    said = private_put([OPERATOR], {"operatorPrivate": [OPERATOR, OPERATOR]})
    assert said.collections == {"operatorPrivate": (OPERATOR,)}
    assert TransactionRequest.from_json(said.to_json()) == said
    unsaid = private_put([], None)
    assert "collections" not in unsaid.to_json()  # items stored before keep their fingerprint
    assert TransactionRequest.from_json(unsaid.to_json()).collections is None
    assert said.fingerprint() != private_put([OPERATOR], {}).fingerprint()


@pytest.mark.parametrize(
    ("collections", "message"),
    [
        ({"": [OPERATOR]}, "a private data collection needs a non-empty name"),
        ({"c": []}, "collection c needs at least one member MSP id, none empty"),
        ({"c": [""]}, "collection c needs at least one member MSP id, none empty"),
        ({"c": OPERATOR}, "the members of collection c are a list of MSP ids"),
    ],
)
def test_malformed_collections_are_refused_with_a_clear_message(
    collections: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        private_put([OPERATOR], collections)
    assert str(refused.value) == message


def test_enqueue_refuses_a_leak_and_writes_nothing(tmp_path: Path) -> None:
    with Outbox.open(tmp_path / "o.sqlite") as outbox:
        good = ("good", private_put([OPERATOR], {"operatorPrivate": [OPERATOR]}))
        with pytest.raises(PrivateDataLeakError) as leak:
            outbox.enqueue_many(
                [good, ("leak", private_put([OPERATOR, PROSUMER], {"operatorPrivate": [OPERATOR]}))]
            )
        assert (leak.value.collection, leak.value.non_members) == ("operatorPrivate", [PROSUMER])
        with pytest.raises(PrivateDataLeakError) as unsaid:
            outbox.enqueue_many([("unsaid", private_put([OPERATOR], None))])
        assert unsaid.value.collection == ""
        assert outbox.items() == []  # all or none
        outbox.enqueue_many([("planned", private_put([], None))])  # Gateway plans members
        assert [i.idempotency_key for i in outbox.items()] == ["planned"]


@pytest.mark.parametrize("finish", ["committed", "failed"])
def test_transient_values_leave_the_file_when_the_item_is_finished(
    tmp_path: Path, finish: str
) -> None:
    path = tmp_path / "o.sqlite"
    encoded = base64.b64encode(SECRET)
    with Outbox.open(path) as outbox:
        (item,) = outbox.enqueue_many(
            [("k", private_put([OPERATOR], {"operatorPrivate": [OPERATOR]}))]
        )
        assert item.request.transient == {"value": SECRET}
        assert encoded in file_bytes(path)  # stored while the item can still be sent
        outbox.begin_attempt(item.id, "tx-1")
        if finish == "committed":
            outbox.mark_committed(item.id, "tx-1", 9, b"")
        else:
            outbox.mark_failed(item.id, "rejected", "tx-1")
        finished = outbox.get(item.id)
        assert finished.request.transient == {} and finished.request.transient_erased
        assert finished.request.collections == {"operatorPrivate": (OPERATOR,)}
    assert encoded not in file_bytes(path) and SECRET not in file_bytes(path)
    with Outbox.open(path) as outbox:  # the same key is still the same item
        (again,) = outbox.enqueue_many(
            [("k", private_put([OPERATOR], {"operatorPrivate": [OPERATOR]}))]
        )
        assert again.id == item.id and again.state is ItemState(finish)


def test_retry_failed_needs_the_same_transient_values_again(tmp_path: Path) -> None:
    with Outbox.open(tmp_path / "o.sqlite") as outbox:
        (item,) = outbox.enqueue_many(
            [("k", private_put([OPERATOR], {"operatorPrivate": [OPERATOR]}))]
        )
        outbox.mark_failed(item.id, "meter not registered yet")
        with pytest.raises(ValueError, match="transient data was erased"):
            outbox.retry_failed(item.id)
        with pytest.raises(ValueError, match="not the ones it was enqueued with"):
            outbox.retry_failed(item.id, transient={"value": b"other"})
        assert outbox.get(item.id).state is ItemState.FAILED
        outbox.retry_failed(item.id, transient={"value": SECRET})
        back = outbox.get(item.id)
        assert back.state is ItemState.PENDING and back.request.transient == {"value": SECRET}
        assert not back.request.transient_erased


def test_an_erased_request_cannot_be_enqueued(tmp_path: Path) -> None:
    erased = private_put([OPERATOR], {"operatorPrivate": [OPERATOR]}).without_transient()
    with Outbox.open(tmp_path / "o.sqlite") as outbox:
        with pytest.raises(ValueError, match="transient data was erased"):
            outbox.enqueue_many([("k", erased)])
        with sqlite3.connect(tmp_path / "o.sqlite") as db:
            assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (0,)
