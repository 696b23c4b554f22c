"""The asyncio API against the same fake Gateway (run with asyncio.run: no plugin needed)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
import pytest
from client_fake_gateway import PEERS, FakeServer
from gridledger.fabric import Identity, Signer
from gridledger.gateway import (
    AsyncGateway,
    ChaincodeEvent,
    CommitError,
    EndorseError,
    InMemoryCheckpointer,
    aconnect,
)

T = TypeVar("T")


def run_with_gateway(
    server: FakeServer,
    user: tuple[Identity, Signer],
    body: Callable[[AsyncGateway], Awaitable[T]],
    signer: Signer | None = None,
) -> T:
    """Run ``body`` on a fresh asyncio gateway (``signer=None``: offline signing)."""

    async def main() -> T:
        async with aconnect(server.address, identity=user[0], signer=signer) as gateway:
            return await body(gateway)

    return asyncio.run(main())


def test_async_evaluate_and_submit(fake_server: FakeServer, user: tuple[Identity, Signer]) -> None:
    async def body(gateway: AsyncGateway) -> tuple[bytes, bytes]:
        contract = gateway.network("energy").contract("gridledger", "kv")
        return await contract.evaluate("Get", "k1"), await contract.submit("Put", "k1", "v1")

    assert run_with_gateway(fake_server, user, body, signer=user[1]) == (
        b"kv:Get|k1",
        b"kv:Put|k1|v1",
    )


def test_async_errors(fake_server: FakeServer, user: tuple[Identity, Signer]) -> None:
    async def body(gateway: AsyncGateway) -> None:
        contract = gateway.network("energy").contract("gridledger")
        with pytest.raises(EndorseError) as endorse:
            await contract.submit("Reject")
        assert endorse.value.grpc_code == grpc.StatusCode.ABORTED
        assert endorse.value.details == PEERS
        with pytest.raises(CommitError) as commit:
            await contract.submit("Conflict")
        assert commit.value.code_name == "MVCC_READ_CONFLICT"

    run_with_gateway(fake_server, user, body, signer=user[1])


def test_async_offline_signing(fake_server: FakeServer, user: tuple[Identity, Signer]) -> None:
    signer = user[1]

    async def body(gateway: AsyncGateway) -> bool:
        unsigned = gateway.network("energy").contract("gridledger").new_proposal("Put", ["k"])
        proposal = gateway.new_signed_proposal(unsigned.bytes(), signer.sign(unsigned.digest()))
        endorsed = await proposal.endorse()
        transaction = gateway.new_signed_transaction(
            endorsed.bytes(), signer.sign(endorsed.digest())
        )
        submitted = await transaction.submit()
        commit = gateway.new_signed_commit(submitted.bytes(), signer.sign(submitted.digest()))
        return (await commit.status()).successful

    assert run_with_gateway(fake_server, user, body)  # no signer on the gateway


def test_async_events_with_checkpointer(
    fake_server: FakeServer, user: tuple[Identity, Signer]
) -> None:
    checkpointer = InMemoryCheckpointer()
    checkpointer.checkpoint_transaction(3, "tx3-0")

    async def body(gateway: AsyncGateway) -> tuple[list[ChaincodeEvent], list[int]]:
        network = gateway.network("energy")
        events = [
            e async for e in network.chaincode_events("gridledger", checkpointer=checkpointer)
        ]
        async with network.filtered_block_events(start_block=1) as blocks:
            numbers = [block.number async for block in blocks]
        return events, numbers

    events, numbers = run_with_gateway(fake_server, user, body, signer=user[1])
    assert [e.transaction_id for e in events] == ["tx3-0", "tx3-1", "tx4-0", "tx4-1"]
    assert fake_server.state.events_requests[-1].after_transaction_id == "tx3-0"
    assert numbers == [1, 2, 3]


def test_async_close_cancels_endless_stream(
    fake_server: FakeServer, user: tuple[Identity, Signer]
) -> None:
    fake_server.state.cancelled.clear()

    async def body(gateway: AsyncGateway) -> list[ChaincodeEvent]:
        seen: list[ChaincodeEvent] = []
        async with gateway.network("energy").chaincode_events("endless", start_block=0) as events:
            async for event in events:
                seen.append(event)
                if len(seen) == 3:
                    break
        return seen

    assert len(run_with_gateway(fake_server, user, body, signer=user[1])) == 3
    assert fake_server.state.cancelled.wait(5)
