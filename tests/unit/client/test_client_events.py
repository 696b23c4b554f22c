from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from client_fake_gateway import FakeServer
from gridledger.fabric import Identity, Signer
from gridledger.gateway import (
    ChaincodeEvent,
    DeliverKind,
    EventsError,
    FileCheckpointer,
    Gateway,
    InMemoryCheckpointer,
    connect,
)


def test_chaincode_events_from_start_block(gateway: Gateway, fake_server: FakeServer) -> None:
    with gateway.network("energy").chaincode_events("gridledger", start_block=4) as events:
        received = list(events)
    assert [(e.block_number, e.transaction_id) for e in received] == [
        (4, "tx4-0"),
        (4, "tx4-1"),
        (5, "tx5-0"),
        (5, "tx5-1"),
    ]
    assert received[0] == ChaincodeEvent(4, "tx4-0", "gridledger", "ReadingSubmitted", b"4/0")
    request = fake_server.state.events_requests[-1]
    assert request.channel_id == "energy"
    assert request.start_position.specified.number == 4
    assert request.after_transaction_id == ""


def test_chaincode_events_default_to_next_commit(gateway: Gateway, fake_server: FakeServer) -> None:
    list(gateway.network("energy").chaincode_events("gridledger"))
    request = fake_server.state.events_requests[-1]
    assert request.start_position.WhichOneof("Type") == "next_commit"


def test_checkpointer_resumes_after_last_transaction(
    gateway: Gateway, fake_server: FakeServer, tmp_path: Path
) -> None:
    path = tmp_path / "checkpoint.json"
    checkpointer = FileCheckpointer(path)
    assert checkpointer.block_number is None
    network = gateway.network("energy")
    with network.chaincode_events("gridledger", start_block=0, checkpointer=checkpointer) as events:
        for event in events:
            checkpointer.checkpoint_chaincode_event(event)
            if event.transaction_id == "tx1-0":
                break

    resumed = FileCheckpointer(path)  # a new process reading the file
    assert (resumed.block_number, resumed.transaction_id) == (1, "tx1-0")
    with network.chaincode_events("gridledger", start_block=0, checkpointer=resumed) as events:
        next(events)  # the server has seen the request once it answered
    request = fake_server.state.events_requests[-1]
    assert request.start_position.specified.number == 1  # the checkpoint wins over start_block
    assert request.after_transaction_id == "tx1-0"
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.json"]  # no temp file left


def test_checkpoint_block_moves_to_next_block() -> None:
    checkpointer = InMemoryCheckpointer()
    checkpointer.checkpoint_transaction(3, "tx3-1")
    checkpointer.checkpoint_block(3)
    assert (checkpointer.block_number, checkpointer.transaction_id) == (4, None)


def test_file_checkpointer_reads_node_style_string_block_numbers(tmp_path: Path) -> None:
    path = tmp_path / "cp.json"
    path.write_text('{"blockNumber": "12", "transactionId": "abc"}')
    checkpointer = FileCheckpointer(path)
    assert (checkpointer.block_number, checkpointer.transaction_id) == (12, "abc")


def test_closing_an_open_stream_cancels_the_call(gateway: Gateway, fake_server: FakeServer) -> None:
    fake_server.state.cancelled.clear()
    events = gateway.network("energy").chaincode_events("endless", start_block=0)
    first = next(events)
    assert first.block_number == 0
    events.close()
    assert list(events) == []
    assert fake_server.state.cancelled.wait(5)


def test_close_from_another_thread_ends_iteration(
    gateway: Gateway, fake_server: FakeServer
) -> None:
    events = gateway.network("energy").chaincode_events("endless", start_block=0)
    seen: list[ChaincodeEvent] = []

    def consume() -> None:
        seen.extend(events)

    consumer = threading.Thread(target=consume)
    consumer.start()
    while len(seen) < 4 and consumer.is_alive():
        consumer.join(0.01)
    events.close()
    consumer.join(5)
    assert not consumer.is_alive()
    assert len(seen) == 4


@pytest.mark.parametrize(
    ("kind", "read_number"),
    [
        (DeliverKind.BLOCK, lambda b: b.header.number),
        (DeliverKind.FILTERED_BLOCK, lambda b: b.number),
        (DeliverKind.BLOCK_AND_PRIVATE_DATA, lambda b: b.block.header.number),
    ],
)
def test_block_events_over_deliver(
    gateway: Gateway, fake_server: FakeServer, kind: DeliverKind, read_number: Callable[[Any], int]
) -> None:
    network = gateway.network("energy")
    streams = {
        DeliverKind.BLOCK: network.block_events,
        DeliverKind.FILTERED_BLOCK: network.filtered_block_events,
        DeliverKind.BLOCK_AND_PRIVATE_DATA: network.block_and_private_data_events,
    }
    with streams[kind](start_block=2) as blocks:
        numbers = [read_number(block) for block in blocks]
    assert numbers == [2, 3, 4]
    assert fake_server.state.seek_infos[-1].start.specified.number == 2


def test_private_data_blocks_are_decoded(gateway: Gateway, fake_server: FakeServer) -> None:
    with gateway.network("energy").private_data_blocks(start_block=2) as blocks:
        assert [(b.number, b.private_writes) for b in blocks] == [(2, ()), (3, ()), (4, ())]
    assert fake_server.state.seek_infos[-1].start.specified.number == 2


def test_deliver_refusal_raises(gateway: Gateway) -> None:
    with pytest.raises(EventsError, match="NOT_FOUND"):
        list(gateway.network("energy").block_events(start_block=100))


def test_block_events_checkpointer_sets_start(gateway: Gateway, fake_server: FakeServer) -> None:
    checkpointer = InMemoryCheckpointer()
    checkpointer.checkpoint_block(5)
    list(gateway.network("energy").block_events(checkpointer=checkpointer))
    assert fake_server.state.seek_infos[-1].start.specified.number == 6


def test_gateway_close_closes_open_streams(
    fake_server: FakeServer, user: tuple[Identity, Signer]
) -> None:
    identity, signer = user
    gw = connect(fake_server.address, identity=identity, signer=signer)
    events = gw.network("energy").chaincode_events("endless", start_block=0)
    next(events)
    gw.close()
    assert events.closed
    assert list(events) == []


def test_offline_signed_event_requests(
    fake_server: FakeServer, user: tuple[Identity, Signer]
) -> None:
    identity, signer = user
    with connect(fake_server.address, identity=identity) as gw:  # no signer
        network = gw.network("energy")
        unsigned = network.new_chaincode_events_request("gridledger", start_block=8)
        request = gw.new_signed_chaincode_events_request(
            unsigned.bytes(), signer.sign(unsigned.digest())
        )
        with request.events() as events:
            assert next(events).block_number == 8

        unsigned_blocks = network.new_block_events_request(start_block=1)
        blocks = gw.new_signed_block_events_request(
            unsigned_blocks.bytes(), signer.sign(unsigned_blocks.digest())
        )
        with blocks.events() as stream:
            assert [block.header.number for block in stream] == [1, 2, 3]
