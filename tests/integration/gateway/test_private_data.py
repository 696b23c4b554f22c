"""Private data: written from transient data, readable on the member org only."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from gridledger.gateway import EndorseError, GatewayError, PrivateDataLeakError
from harness.devnet import ENDORSED_COLLECTION, OPERATOR, PROSUMER, TestNetwork

pytestmark = pytest.mark.integration


def test_gateway_will_not_choose_endorsers_outside_the_collection_for_transient_data(
    kv: Any, test_network: TestNetwork, unique_key: str
) -> None:
    """The policy needs both orgs, the collection has one member: Fabric's gateway refuses to
    send the transient data to the other org on its own; the client must name the orgs."""
    with pytest.raises(EndorseError) as refused:
        kv.submit(
            "PutPrivate", test_network.collection, f"{unique_key}p", transient={"value": b"s"}
        )
    assert refused.value.grpc_code_name == "FAILED_PRECONDITION"
    assert refused.value.message == (
        "requires endorsement from organisation(s) that are not in the distribution policy of "
        f"the private data collection(s): [{test_network.collection}]; retry specifying trusted "
        "endorsing organizations to protect transient data"
    )
    assert not refused.value.details


def test_private_value_is_read_by_the_member_and_refused_to_the_non_member(
    kv: Any, prosumer_network: Any, test_network: TestNetwork, unique_key: str
) -> None:
    key = f"{unique_key}tariff"
    secret = b"negotiated price 1234"
    collection = ENDORSED_COLLECTION  # its own policy: the member's peer endorses alone

    kv.submit(
        "PutPrivate",
        collection,
        key,
        transient={"value": secret},
        endorsing_orgs=[OPERATOR],
        collections={collection: [OPERATOR]},
    )

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
        "PutPrivate", args=[ENDORSED_COLLECTION, key], transient={"value": secret}
    )
    status = proposal.endorse().submit().status()
    assert status.successful

    blocks = operator_network.block_events(start_block=status.block_number)
    try:
        block = next(iter(blocks))
    finally:
        blocks.close()
    assert secret not in block.SerializeToString()


def test_client_refuses_named_non_member_endorsers_before_sending(
    kv: Any, test_network: TestNetwork, unique_key: str
) -> None:
    key = f"{unique_key}leak"
    with pytest.raises(PrivateDataLeakError) as refused:
        kv.submit(
            "PutPrivate",
            test_network.collection,
            key,
            transient={"value": b"s"},
            endorsing_orgs=[OPERATOR, PROSUMER],
            collections={test_network.collection: [OPERATOR]},
        )
    assert (refused.value.collection, refused.value.non_members) == (
        test_network.collection,
        [PROSUMER],
    )
    with pytest.raises(GatewayError):  # nothing was written (no hash either)
        kv.evaluate("GetPrivateHash", test_network.collection, key)
