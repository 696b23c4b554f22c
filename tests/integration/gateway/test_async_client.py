"""The asyncio client: submit, evaluate, events, and concurrent read-modify-writes of one key."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gridledger.gateway import CommitError
from harness.devnet import OPERATOR, TestNetwork

pytestmark = pytest.mark.integration

MVCC_READ_CONFLICT = 11


async def _first_event_of(events: Any, transaction_id: str) -> Any:
    async for event in events:
        if event.transaction_id == transaction_id:
            return event
    return None


def test_async_submit_evaluate_and_event(
    profile: Any, test_network: TestNetwork, unique_key: str
) -> None:
    async def scenario() -> tuple[bytes, Any, Any]:
        async with profile.aconnect(OPERATOR, user="User1") as gateway:
            network = gateway.network(test_network.channel)
            kv = network.contract(test_network.chaincode, "kv")
            marker = await (await (await kv.new_proposal("Noop").endorse()).submit()).status()
            events = network.chaincode_events(
                test_network.chaincode, start_block=marker.block_number + 1
            )
            try:
                await kv.submit("Put", f"{unique_key}k", "async value")
                value = await kv.evaluate("Get", f"{unique_key}k")
                submitted = await kv.submit_async("Emit", "Metered", unique_key)
                status = await submitted.status()
                event = await asyncio.wait_for(
                    _first_event_of(events, submitted.transaction_id), timeout=60
                )
            finally:
                events.close()
            return value, status, event

    value, status, event = asyncio.run(scenario())
    assert value == b"async value"
    assert status.successful
    assert event is not None
    assert (event.event_name, event.payload) == ("Metered", unique_key.encode())
    assert event.block_number == status.block_number


def test_concurrent_add_to_commits_only_consistent_increments(
    profile: Any, test_network: TestNetwork, unique_key: str
) -> None:
    key = f"{unique_key}shared"
    increments = [1, 10, 100, 1000]

    async def scenario() -> tuple[list[Any], bytes]:
        async with profile.aconnect(OPERATOR, user="User1") as gateway:
            kv = gateway.network(test_network.channel).contract(test_network.chaincode, "kv")
            await kv.submit("AddTo", key, "5")
            outcomes = await asyncio.gather(
                *(kv.submit("AddTo", key, str(n)) for n in increments), return_exceptions=True
            )
            return list(outcomes), await kv.evaluate("Get", key)

    outcomes, final = asyncio.run(scenario())
    committed = [
        n for n, outcome in zip(increments, outcomes, strict=True) if isinstance(outcome, bytes)
    ]
    failures = [outcome for outcome in outcomes if not isinstance(outcome, bytes)]
    assert committed, "at least one concurrent transaction commits"
    for failure in failures:
        assert isinstance(failure, CommitError), failure
        assert failure.code == MVCC_READ_CONFLICT
    assert int(final) == 5 + sum(committed)
