"""A stream's transactions run in greenlets on the stream's thread: any number wait for the peer
at once and each answer reaches exactly the transaction that asked; contract code that blocks
holds up its stream (as in Hyperledger's Node shim) and the stream resumes when it returns."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from chaincode_fake_peer import RECV_TIMEOUT, FakePeer, Msg, message, response_of, transaction
from fabric_protos.peer import chaincode_shim_pb2
from gridledger_chaincode.shim import handler as handler_module
from gridledger_chaincode.shim.interface import LedgerStub
from gridledger_chaincode.shim.types import ChaincodeResponse

ConnectPeer = Callable[..., FakePeer]


class GatedChaincode:
    """`Get key`; `Block gate` waits in contract code until the gate opens, then reads `after`;
    `GetFromThread key` calls the stub from a thread of its own."""

    def __init__(self) -> None:
        self.gates: defaultdict[str, threading.Event] = defaultdict(threading.Event)
        self.blocked: defaultdict[str, threading.Event] = defaultdict(threading.Event)

    def init(self, stub: LedgerStub) -> ChaincodeResponse:
        return ChaincodeResponse.success()

    def invoke(self, stub: LedgerStub) -> ChaincodeResponse:
        function, *args = [a.decode() for a in stub.args]
        if function == "Noop":
            return ChaincodeResponse.success(b"noop")
        if function == "Get":
            return ChaincodeResponse.success(stub.get_state(args[0]))
        if function == "Block":
            self.blocked[args[0]].set()
            if not self.gates[args[0]].wait(RECV_TIMEOUT):
                raise RuntimeError(f"gate {args[0]} never opened")
            return ChaincodeResponse.success(stub.get_state("after"))
        if function == "GetFromThread":
            outcome: queue.SimpleQueue[BaseException | bytes] = queue.SimpleQueue()

            def read() -> None:
                try:
                    outcome.put(stub.get_state(args[0]))
                except Exception as exc:
                    outcome.put(exc)

            threading.Thread(target=read).start()
            result = outcome.get(timeout=RECV_TIMEOUT)
            if isinstance(result, BaseException):
                raise result
            return ChaincodeResponse.success(result)
        return ChaincodeResponse.error(f"unknown function {function}")


def _answer(peer: FakePeer, request: Any) -> None:
    assert request.type == Msg.GET_STATE, request
    key = chaincode_shim_pb2.GetState.FromString(request.payload).key
    peer.send(message(Msg.RESPONSE, request.txid, f"{request.txid}:{key}".encode()))


def _completed(peer: FakePeer, count: int) -> dict[str, bytes]:
    results = {}
    for _ in range(count):
        done = peer.recv()
        assert done.type == Msg.COMPLETED, done
        results[done.txid] = response_of(done).payload
    return results


def test_many_waiting_transactions_each_get_their_own_answer_in_any_order(
    connect_peer: ConnectPeer,
) -> None:
    peer = connect_peer()
    count = 40
    for index in range(count):
        peer.send(transaction(f"tx{index}", "kv:Get", f"key{index}"))
    pending = [peer.recv() for _ in range(count)]
    assert [m.txid for m in pending] == [f"tx{i}" for i in range(count)]
    for request in reversed(pending[::2]):
        _answer(peer, request)
    for request in pending[1::2]:
        _answer(peer, request)
    results = {txid: value.decode() for txid, value in _completed(peer, count).items()}
    assert results == {f"tx{i}": f"tx{i}:key{i}" for i in range(count)}


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
    assert _completed(peer, 1) == {"slow": b"slow:a"}


def test_contract_code_that_blocks_holds_up_its_stream_until_it_returns(
    connect_peer: ConnectPeer,
) -> None:
    chaincode = GatedChaincode()
    peer = connect_peer(chaincode)
    peer.send(transaction("waiter", "Get", "k"))
    waiter_request = peer.recv()
    peer.send(transaction("stuck", "Block", "g"))
    assert chaincode.blocked["g"].wait(RECV_TIMEOUT)
    peer.send(transaction("quick", "Noop"))
    _answer(peer, waiter_request)
    time.sleep(0.3)
    assert peer.inbox.empty()  # nothing moves while contract code blocks the stream's thread
    chaincode.gates["g"].set()

    after_request = peer.recv()
    assert after_request.txid == "stuck"
    assert _completed(peer, 2) == {"waiter": b"waiter:k", "quick": b"noop"}
    _answer(peer, after_request)
    assert _completed(peer, 1) == {"stuck": b"stuck:after"}


def test_a_stub_call_from_another_thread_is_refused_with_a_clear_message(
    connect_peer: ConnectPeer,
) -> None:
    peer = connect_peer(GatedChaincode())
    peer.send(transaction("threaded", "GetFromThread", "k"))
    done = peer.recv()
    assert done.type == Msg.COMPLETED
    response = response_of(done)
    assert response.status == 500
    assert "the stub was called outside its transaction" in response.message


def test_a_transaction_keeping_its_stream_too_long_is_logged(
    connect_peer: ConnectPeer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(handler_module, "SLOW_TRANSACTION_SECONDS", 0.05)
    chaincode = GatedChaincode()
    peer = connect_peer(chaincode)
    threading.Timer(0.2, chaincode.gates["g"].set).start()
    with caplog.at_level(logging.WARNING, logger=handler_module.__name__):
        peer.send(transaction("sleepy", "Block", "g"))
        _answer(peer, peer.recv())
        assert _completed(peer, 1) == {"sleepy": b"sleepy:after"}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("[sleepy] transaction kept the stream" in w for w in warnings), warnings
