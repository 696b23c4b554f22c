"""Chaincode support against a tiny in-test chaincode speaking the shim protocol."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fabric_protos.common import policies_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.peer import chaincode_pb2, chaincode_shim_pb2
from gridledger_network.devnet.chaincode_support import (
    ChaincodeDefinition,
    ChaincodeSupport,
    ExecutionError,
    TransactionParams,
    TxSimulator,
)
from services_memory_state import MemoryState
from services_tiny_chaincode import TinyChaincode, serve_tiny_chaincode

Msg = chaincode_shim_pb2.ChaincodeMessage
CC = "tiny"


def definition(port: int) -> ChaincodeDefinition:
    return ChaincodeDefinition(CC, f"127.0.0.1:{port}", policies_pb2.SignaturePolicyEnvelope())


def params(state: MemoryState, tx_id: str = "tx1") -> TransactionParams:
    return TransactionParams("energy", tx_id, None, TxSimulator(state, tx_id, "OperatorMSP", {}))


def call(*args: str) -> Any:
    return chaincode_pb2.ChaincodeInput(args=[a.encode() for a in args])


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 20))


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def running_support(port: int, **options: float) -> AsyncIterator[ChaincodeSupport]:
    """Chaincode support started for the tiny chaincode at ``port``, stopped on the way out."""
    support = ChaincodeSupport("OperatorMSP", {CC: definition(port)}, **options)
    support.start()
    try:
        yield support
    finally:
        await support.stop()


@asynccontextmanager
async def tiny_behind_support(
    **options: float,
) -> AsyncIterator[tuple[ChaincodeSupport, TinyChaincode]]:
    """The tiny chaincode and the support dialling it; the support is stopped before the server."""
    server, chaincode, port = await serve_tiny_chaincode()
    try:
        async with running_support(port, **options) as support:
            yield support, chaincode
    finally:
        await server.stop(None)


def test_registration_offers_write_batch_and_multiple_keys() -> None:
    async def scenario() -> None:
        async with tiny_behind_support() as (_, chaincode):
            await asyncio.wait_for(chaincode.registered.wait(), 5)
            assert chaincode.peer_messages[:2] == [Msg.REGISTERED, Msg.READY]
            assert chaincode.ready_params.use_write_batch
            assert chaincode.ready_params.use_get_multiple_keys
            assert chaincode.ready_params.max_size_write_batch == 1000

    run(scenario)


def test_transaction_reads_and_writes_through_the_simulator() -> None:
    async def scenario() -> None:
        state = MemoryState()
        state.put(CC, "k", b"committed", block=4, tx=1)
        async with tiny_behind_support() as (support, _):
            got = await support.execute(params(state, "t1"), CC, call("get", "k"))
            assert (got.response.status, got.response.payload) == (200, b"committed")
            tx = params(state, "t2")
            put = await support.execute(tx, CC, call("put", "k2", "new"))
            assert put.response.status == 200
            (ns,) = tx.simulator.results().public.ns_rwset
            writes = kv_rwset_pb2.KVRWSet.FromString(ns.rwset).writes
            assert [(w.key, w.value) for w in writes] == [("k2", b"new")]

    run(scenario)


def test_range_over_more_than_one_batch_uses_query_state_next() -> None:
    async def scenario() -> None:
        state = MemoryState()
        for i in range(250):
            state.put(CC, f"m{i:04d}", b"v")
        async with tiny_behind_support() as (support, _):
            result = await support.execute(params(state), CC, call("range", "m", "n"))
            batches, keys = result.response.payload.decode().split(":")
            assert batches == "3"  # 100 + 100 + 50
            assert keys.split(",") == [f"m{i:04d}" for i in range(250)]

    run(scenario)


def test_chaincode_errors_events_and_concurrent_transactions() -> None:
    async def scenario() -> None:
        state = MemoryState()
        async with tiny_behind_support() as (support, _):
            failed, evented = await asyncio.gather(
                support.execute(params(state, "a"), CC, call("fail", "no meter")),
                support.execute(params(state, "b"), CC, call("event", "ReadingSubmitted")),
            )
            assert (failed.response.status, failed.response.message) == (500, "no meter")
            assert evented.event is not None
            assert evented.event.event_name == "ReadingSubmitted"
            assert (evented.event.chaincode_id, evented.event.tx_id) == (CC, "b")
            with pytest.raises(ExecutionError, match="transaction returned with failure: kaput"):
                await support.execute(params(state, "c"), CC, call("error", "kaput"))
            refused = await support.execute(params(state, "d"), CC, call("get", "k", "nocoll"))
            assert refused.response.message.startswith("GET_STATE failed: transaction ID: d:")

    run(scenario)


def test_execute_timeout_fails_the_transaction() -> None:
    async def scenario() -> None:
        async with tiny_behind_support(execute_timeout=0.3) as (support, _):
            with pytest.raises(ExecutionError, match="timeout expired while executing"):
                await support.execute(params(MemoryState()), CC, call("hang"))

    run(scenario)


def test_unreachable_chaincode_fails_promptly_with_its_address() -> None:
    async def scenario() -> None:
        port = unused_port()
        async with running_support(port, connect_timeout=10) as support:
            with pytest.raises(
                ExecutionError, match=f"chaincode tiny at 127.0.0.1:{port} is not reachable"
            ):
                await asyncio.wait_for(
                    support.execute(params(MemoryState()), CC, call("get", "k")), 5
                )

    run(scenario)


def test_reconnects_when_the_chaincode_restarts() -> None:
    async def scenario() -> None:
        server, chaincode, port = await serve_tiny_chaincode()
        try:
            async with running_support(port) as support:
                await asyncio.wait_for(chaincode.registered.wait(), 5)
                await server.stop(None)
                server, chaincode, _ = await serve_tiny_chaincode(port)
                await asyncio.wait_for(chaincode.registered.wait(), 10)
                result = await support.execute(params(MemoryState()), CC, call("fail", "back"))
                assert result.response.message == "back"
        finally:
            await server.stop(None)

    run(scenario)
