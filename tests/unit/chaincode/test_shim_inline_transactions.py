"""Transactions run inline on the stream's reader thread, nested while they wait for the peer,
and on the pool past ``MAX_INLINE_DEPTH``: every one still gets exactly its own answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chaincode_fake_peer import FakePeer, Msg, message, response_of, transaction
from fabric_protos.peer import chaincode_shim_pb2
from gridledger_chaincode.shim.handler import MAX_INLINE_DEPTH

ConnectPeer = Callable[..., FakePeer]


def _answer(peer: FakePeer, request: Any) -> None:
    key = chaincode_shim_pb2.GetState.FromString(request.payload).key
    peer.send(message(Msg.RESPONSE, request.txid, f"value-of-{key}".encode()))


def test_answers_in_arrival_order_reach_transactions_nested_below_others(
    connect_peer: ConnectPeer,
) -> None:
    peer = connect_peer()
    count = MAX_INLINE_DEPTH + 12  # some nested inline, the rest on the pool
    for index in range(count):
        peer.send(transaction(f"tx{index}", "kv:Get", f"key{index}"))
    pending = [peer.recv() for _ in range(count)]
    assert all(m.type == Msg.GET_STATE for m in pending)
    # Oldest first: the first transaction sits at the bottom of the reader's stack.
    for request in pending:
        _answer(peer, request)
    results = {}
    for _ in range(count):
        completed = peer.recv()
        results[completed.txid] = response_of(completed).payload.decode()
    assert results == {f"tx{i}": f"value-of-key{i}" for i in range(count)}


def test_a_transaction_arriving_while_another_waits_finishes_first(
    connect_peer: ConnectPeer,
) -> None:
    peer = connect_peer()
    peer.send(transaction("slow", "kv:Get", "a"))
    waiting = peer.recv()
    assert (waiting.type, waiting.txid) == (Msg.GET_STATE, "slow")
    peer.send(transaction("quick", "kv:Noop"))
    done = peer.recv()
    assert (done.type, done.txid) == (Msg.COMPLETED, "quick")
    _answer(peer, waiting)
    finished = peer.recv()
    assert (finished.type, finished.txid) == (Msg.COMPLETED, "slow")
    assert response_of(finished).payload == b"value-of-a"
