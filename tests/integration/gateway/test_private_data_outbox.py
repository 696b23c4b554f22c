"""Queued and retried submissions with transient data pass the client's private-data guard: the
outbox commits an item for the collection's member and gives up (never sends) one for a
non-member; the retry helpers refuse the same before sending; transient values leave the file."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from gridledger.gateway import GatewayError, PrivateDataLeakError
from gridledger.outbox import ItemState, Outbox, OutboxDrainer, TransactionRequest
from gridledger.retry import asubmit_with_retry, submit_with_retry
from harness.devnet import ENDORSED_COLLECTION, OPERATOR, PROSUMER, TestNetwork

pytestmark = pytest.mark.integration

MEMBERS = {ENDORSED_COLLECTION: [OPERATOR]}


def _put(
    test_network: TestNetwork, key: str, value: bytes, endorsers: list[str], **kw: Any
) -> TransactionRequest:
    return TransactionRequest.of(
        test_network.channel,
        test_network.chaincode,
        "PutPrivate",
        [ENDORSED_COLLECTION, key],
        contract="kv",
        transient={"value": value},
        endorsing_orgs=endorsers,
        **kw,
    )


def _store_as_an_older_client_did(path: Path, key: str, request: TransactionRequest) -> None:
    """An item enqueued before ``collections=`` existed (the guard did not run then)."""
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO items (idempotency_key, fingerprint, request, state, enqueued_at, "
            "next_attempt_at) VALUES (?, ?, ?, 'pending', 0, 0)",
            (key, request.fingerprint(), request.to_json()),
        )


def test_drainer_commits_the_members_item_and_gives_up_the_leak_unsent(
    kv: Any, utility_gateway: Any, test_network: TestNetwork, unique_key: str, tmp_path: Path
) -> None:
    path = tmp_path / "outbox.sqlite"
    secret, leaked = f"ok-{unique_key}".encode(), f"leak-{unique_key}".encode()
    with Outbox.open(path) as outbox:
        good = outbox.enqueue_many(
            [
                (
                    f"{unique_key}good",
                    _put(test_network, f"{unique_key}g", secret, [OPERATOR], collections=MEMBERS),
                )
            ]
        )[0]
        old = _put(test_network, f"{unique_key}l", leaked, [OPERATOR, PROSUMER])
        assert old.collections is None
        _store_as_an_older_client_did(path, f"{unique_key}leak", old)
        leak = outbox.by_key(f"{unique_key}leak")
        assert leak is not None and leak.request.transient == {"value": leaked}

        with OutboxDrainer(outbox, utility_gateway) as drainer:
            report = drainer.drain(timeout=60)

        assert report.committed == (good.id,) and not report.retrying
        (gave_up,) = report.gave_up
        assert gave_up.item_id == leak.id and gave_up.attempts == 0
        assert gave_up.reason.startswith("refused before sending: transient data with named")
        failed = outbox.get(leak.id)
        assert failed.state is ItemState.FAILED and failed.reason == gave_up.reason
        assert outbox.transactions(leak.id) == []  # no transaction was ever built or sent
        assert outbox.get(good.id).request.transient_erased
        assert outbox.get(leak.id).request.transient_erased
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.sqlite*"))
    for value in (secret, leaked):
        assert base64.b64encode(value) not in stored and value not in stored

    assert kv.evaluate("GetPrivate", ENDORSED_COLLECTION, f"{unique_key}g") == secret
    with pytest.raises(GatewayError):  # the leak was never written: no hash anywhere
        kv.evaluate("GetPrivateHash", ENDORSED_COLLECTION, f"{unique_key}l")


def test_retry_helpers_pass_collections_and_refuse_a_leak_before_sending(
    kv: Any, operator_gateway: Any, test_network: TestNetwork, unique_key: str
) -> None:
    key, value = f"{unique_key}r", b"retried reading"

    def put(endorsers: list[str], collections: dict[str, list[str]] | None) -> bytes:
        return submit_with_retry(
            kv,
            "PutPrivate",
            ENDORSED_COLLECTION,
            key,
            transient={"value": value},
            endorsing_orgs=endorsers,
            collections=collections,
        )

    with pytest.raises(PrivateDataLeakError) as leak:
        put([OPERATOR, PROSUMER], MEMBERS)
    assert (leak.value.collection, leak.value.non_members) == (ENDORSED_COLLECTION, [PROSUMER])
    with pytest.raises(PrivateDataLeakError):
        put([OPERATOR], None)
    with pytest.raises(GatewayError):
        kv.evaluate("GetPrivateHash", ENDORSED_COLLECTION, key)

    put([OPERATOR], MEMBERS)
    assert kv.evaluate("GetPrivateHash", ENDORSED_COLLECTION, key).decode() == (
        hashlib.sha256(value).hexdigest()
    )


def test_async_retry_helper_refuses_a_leak_and_submits_for_members(
    profile: Any, test_network: TestNetwork, unique_key: str
) -> None:
    key = f"{unique_key}a"

    async def run() -> bytes:
        async with profile.aconnect(OPERATOR) as gateway:
            contract = gateway.network(test_network.channel).contract(test_network.chaincode, "kv")

            async def put(endorser: str, value: bytes) -> bytes:
                return await asubmit_with_retry(
                    contract,
                    "PutPrivate",
                    ENDORSED_COLLECTION,
                    key,
                    transient={"value": value},
                    endorsing_orgs=[endorser],
                    collections=MEMBERS,
                )

            with pytest.raises(PrivateDataLeakError):
                await put(PROSUMER, b"x")
            await put(OPERATOR, b"async")
            return bytes(await contract.evaluate("GetPrivate", ENDORSED_COLLECTION, key))

    assert asyncio.run(run()) == b"async"
