"""A transaction stuck in contract code on the stream's reader thread hands the reader role to a
fresh thread: the stream goes on serving other transactions, and every answer still reaches
exactly the transaction that asked, whether it arrived before, during or after the handover."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from chaincode_fake_peer import RECV_TIMEOUT, FakePeer, Msg, message, response_of, transaction
from fabric_protos.peer import chaincode_shim_pb2
from gridledger_chaincode.shim.interface import LedgerStub
from gridledger_chaincode.shim.types import ChaincodeResponse

ConnectPeer = Callable[..., FakePeer]


class GatedChaincode:
    """`Get key`; `Block gate` waits in contract code until the gate opens, then reads `after`;
    `GetThenBlock key gate` reads key, waits for the gate, and returns what it read."""

    def __init__(self) -> None:
        self.gates: defaultdict[str, threading.Event] = defaultdict(threading.Event)
        self.blocked: defaultdict[str, threading.Event] = defaultdict(threading.Event)

    def open(self, gate: str) -> None:
        self.gates[gate].set()

    def init(self, stub: LedgerStub) -> ChaincodeResponse:
        return ChaincodeResponse.success()

    def invoke(self, stub: LedgerStub) -> ChaincodeResponse:
        function, *args = [a.decode() for a in stub.args]
        if function == "Noop":
            return ChaincodeResponse.success(b"noop")
        if function == "Get":
            return ChaincodeResponse.success(stub.get_state(args[0]))
        if function == "Block":
            self._wait(args[0])
            return ChaincodeResponse.success(stub.get_state("after"))
        if function == "GetThenBlock":
            value = stub.get_state(args[0])
            self._wait(args[1])
            return ChaincodeResponse.success(value)
        return ChaincodeResponse.error(f"unknown function {function}")

    def _wait(self, gate: str) -> None:
        self.blocked[gate].set()
        if not self.gates[gate].wait(RECV_TIMEOUT):
            raise RuntimeError(f"gate {gate} never opened")


def _requested_key(request: Any) -> str:
    assert request.type == Msg.GET_STATE, request
    return str(chaincode_shim_pb2.GetState.FromString(request.payload).key)


def _answer(peer: FakePeer, request: Any) -> None:
    key = _requested_key(request)
    peer.send(message(Msg.RESPONSE, request.txid, f"{request.txid}:{key}".encode()))


def _completed(peer: FakePeer, count: int) -> dict[str, bytes]:
    results = {}
    for _ in range(count):
        done = peer.recv()
        results[done.txid] = response_of(done).payload
    return results


def _assert_stream_serves(peer: FakePeer, tx_id: str) -> None:
    peer.send(transaction(tx_id, "Noop"))
    done = peer.recv()
    assert (done.type, done.txid) == (Msg.COMPLETED, tx_id)
    assert response_of(done).payload == b"noop"


def test_a_transaction_stuck_in_contract_code_does_not_stall_the_stream(
    connect_peer: ConnectPeer,
) -> None:
    chaincode = GatedChaincode()
    peer = connect_peer(chaincode)
    peer.send(transaction("stuck", "Block", "g"))
    assert chaincode.blocked["g"].wait(RECV_TIMEOUT)

    _assert_stream_serves(peer, "quick")
    peer.send(transaction("reader", "Get", "k"))
    _answer(peer, peer.recv())
    assert _completed(peer, 1) == {"reader": b"reader:k"}

    chaincode.open("g")  # the old reader now waits for its answer on a queue
    _answer(peer, peer.recv())
    assert _completed(peer, 1) == {"stuck": b"stuck:after"}
    _assert_stream_serves(peer, "later")


def test_an_answer_received_before_the_handover_reaches_the_outer_transaction(
    connect_peer: ConnectPeer,
) -> None:
    chaincode = GatedChaincode()
    peer = connect_peer(chaincode)
    peer.send(transaction("outer", "Get", "a"))
    outer_request = peer.recv()
    peer.send(transaction("inner", "GetThenBlock", "b", "g"))  # nested on the reader's stack
    inner_request = peer.recv()
    assert (outer_request.txid, inner_request.txid) == ("outer", "inner")
    # The reader, pumping for inner, receives outer's answer first and keeps it for outer.
    _answer(peer, outer_request)
    _answer(peer, inner_request)
    assert chaincode.blocked["g"].wait(RECV_TIMEOUT)

    _assert_stream_serves(peer, "quick")
    chaincode.open("g")
    assert _completed(peer, 2) == {"inner": b"inner:b", "outer": b"outer:a"}


def test_an_answer_arriving_while_a_nested_transaction_is_stuck_reaches_the_outer_one(
    connect_peer: ConnectPeer,
) -> None:
    chaincode = GatedChaincode()
    peer = connect_peer(chaincode)
    peer.send(transaction("outer", "Get", "a"))
    outer_request = peer.recv()
    peer.send(transaction("inner", "Block", "g"))
    assert chaincode.blocked["g"].wait(RECV_TIMEOUT)
    _answer(peer, outer_request)  # received by whichever thread holds the reader role

    _assert_stream_serves(peer, "quick")
    chaincode.open("g")
    _answer(peer, peer.recv())
    assert _completed(peer, 2) == {"inner": b"inner:after", "outer": b"outer:a"}


def test_answers_in_flight_across_two_handovers_each_reach_their_transaction(
    connect_peer: ConnectPeer,
) -> None:
    chaincode = GatedChaincode()
    peer = connect_peer(chaincode)
    peer.send(transaction("first", "Block", "g1"))
    assert chaincode.blocked["g1"].wait(RECV_TIMEOUT)
    peer.send(transaction("second", "Block", "g2"))  # blocks the successor reader too
    assert chaincode.blocked["g2"].wait(RECV_TIMEOUT)
    _assert_stream_serves(peer, "quick")

    readers = [f"get{index}" for index in range(3)]
    for tx_id in readers:
        peer.send(transaction(tx_id, "Get", f"key-{tx_id}"))
    waiting = [peer.recv() for _ in readers]
    chaincode.open("g1")
    waiting.append(peer.recv())
    chaincode.open("g2")
    waiting.append(peer.recv())
    assert {request.txid for request in waiting} == {*readers, "first", "second"}

    for request in reversed(waiting):
        _answer(peer, request)
    assert _completed(peer, len(waiting)) == {
        **{tx_id: f"{tx_id}:key-{tx_id}".encode() for tx_id in readers},
        "first": b"first:after",
        "second": b"second:after",
    }
    _assert_stream_serves(peer, "later")


def test_the_stream_ends_when_the_peer_ends_it_while_the_first_reader_is_stuck(
    connect_peer: ConnectPeer,
) -> None:
    chaincode = GatedChaincode()
    peer = connect_peer(chaincode)
    peer.send(transaction("stuck", "Block", "g"))
    assert chaincode.blocked["g"].wait(RECV_TIMEOUT)
    _assert_stream_serves(peer, "quick")  # the reader role has moved on

    peer.half_close()
    try:
        assert peer.stream_ended()  # the stuck transaction does not hold the stream open
    finally:
        chaincode.open("g")
