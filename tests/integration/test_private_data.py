"""Private data: written from transient data, readable on the member org only."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from gridledger.gateway import GatewayError
from harness.devnet import TestNetwork

pytestmark = pytest.mark.integration


def test_private_value_is_read_by_the_member_and_refused_to_the_non_member(
    kv: Any, prosumer_network: Any, test_network: TestNetwork, unique_key: str
) -> None:
    key = f"{unique_key}tariff"
    secret = b"negotiated price 1234"
    collection = test_network.collection

    kv.submit("PutPrivate", collection, key, transient={"value": secret})

    assert kv.evaluate("GetPrivate", collection, key) == secret
    assert (
        kv.evaluate("GetPrivateHash", collection, key).decode()
        == hashlib.sha256(secret).hexdigest()
    )

    prosumer_kv = prosumer_network.contract(test_network.chaincode, "kv")
    assert (
        prosumer_kv.evaluate("GetPrivateHash", collection, key).decode()
        == hashlib.sha256(secret).hexdigest()
    ), "a non-member still sees the hash on the public ledger"
    with pytest.raises(GatewayError) as caught:
        prosumer_kv.evaluate("GetPrivate", collection, key)
    assert caught.value.details or str(caught.value)


def test_transient_value_is_not_in_the_block(
    kv: Any, operator_network: Any, test_network: TestNetwork, unique_key: str
) -> None:
    key = f"{unique_key}secret"
    secret = f"do-not-leak-{unique_key}".encode()
    proposal = kv.new_proposal(
        "PutPrivate",
        args=[test_network.collection, key],
        transient={"value": secret},
    )
    status = proposal.endorse().submit().status()
    assert status.successful

    blocks = operator_network.block_events(start_block=status.block_number)
    try:
        block = next(iter(blocks))
    finally:
        blocks.close()
    assert secret not in block.SerializeToString()
