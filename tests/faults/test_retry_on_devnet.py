"""Retries against the session devnet: read conflicts are endorsed again as new transactions until
every increment lands exactly once; a chaincode rejection is never retried."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from gridledger.gateway import EndorseError
from gridledger.retry import RetryPolicy, asubmit_with_retry, submit_with_retry
from harness.devnet import OPERATOR, TestNetwork

pytestmark = pytest.mark.integration

WRITERS = 6
INCREMENTS = 4
PATIENT = RetryPolicy(max_attempts=50, initial_delay=0.02, max_delay=0.5)


def test_concurrent_read_modify_writes_all_land_once(kv: Any, unique_key: str) -> None:
    key = f"{unique_key}counter"

    def writer(_: int) -> None:
        for _ in range(INCREMENTS):
            submit_with_retry(kv, "AddTo", key, "1", policy=PATIENT)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))
    assert kv.evaluate("Get", key) == str(WRITERS * INCREMENTS).encode()


def test_a_chaincode_rejection_is_raised_at_once(kv: Any) -> None:
    with pytest.raises(EndorseError) as rejected:
        submit_with_retry(kv, "Fail", "no such meter", policy=PATIENT)
    assert "no such meter" in str(rejected.value)


def test_async_read_modify_writes_all_land_once(test_network: TestNetwork, unique_key: str) -> None:
    key = f"{unique_key}async-counter"

    async def run() -> bytes:
        async with test_network.profile.aconnect(OPERATOR, user="User1") as gateway:
            contract = gateway.network(test_network.channel).contract(test_network.chaincode, "kv")

            async def writer() -> None:
                for _ in range(INCREMENTS):
                    await asubmit_with_retry(contract, "AddTo", key, "1", policy=PATIENT)

            await asyncio.gather(*(writer() for _ in range(WRITERS)))
            result: bytes = await contract.evaluate("Get", key)
            return result

    assert asyncio.run(run()) == str(WRITERS * INCREMENTS).encode()
