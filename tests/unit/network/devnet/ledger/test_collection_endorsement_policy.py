"""A collection's own endorsement policy replaces the chaincode's for writes to that collection."""

from __future__ import annotations

import dataclasses

import pytest
from devnet_ledger_helpers import Code, Collection, RWSet, codes, endorser_tx, user_signer
from gridledger_network.devnet.channel import DevnetChannel
from gridledger_network.devnet.config import (
    CollectionConfig,
    ConfigError,
    DevnetConfig,
    config_to_dict,
    default_config,
    parse_config,
)

OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"
ENDORSED = "operatorEndorsed"  # members: the operator; policy: the operator's peer alone


@pytest.fixture
def config() -> DevnetConfig:
    base = default_config()
    chaincode = base.chaincodes[0]
    endorsed = CollectionConfig(ENDORSED, (OPERATOR,), 0, f"OR('{OPERATOR}.peer')")
    changed = dataclasses.replace(chaincode, collections=(*chaincode.collections, endorsed))
    return dataclasses.replace(base, chaincodes=(changed, *base.chaincodes[1:]))


def _private_tx(channel: DevnetChannel, signers: list[str], rwset: RWSet) -> bytes:
    tx = endorser_tx(user_signer(channel), [channel.peer_signers[m] for m in signers], rwset)
    channel.transient_store.put(tx.tx_id, rwset.private_rwset())
    envelope: bytes = tx.envelope
    return envelope


def test_collection_policy_alone_validates_writes_to_the_collection(
    channel: DevnetChannel,
) -> None:
    writer = channel.new_block_writer()
    endorsed = RWSet(collections=[Collection(ENDORSED, writes={"k": b"1"})])
    plain = RWSet(collections=[Collection("operatorPrivate", writes={"k": b"1"})])
    block = writer.write(
        [
            _private_tx(channel, [OPERATOR], endorsed),  # the collection's policy: enough
            _private_tx(channel, [PROSUMER], endorsed),  # a non-member's peer: not enough
            _private_tx(channel, [OPERATOR], plain),  # no own policy: the chaincode's (both)
        ]
    )
    assert codes(block) == [
        Code.VALID,
        Code.ENDORSEMENT_POLICY_FAILURE,
        Code.ENDORSEMENT_POLICY_FAILURE,
    ]
    stored = channel.ledger.get_private_data("gridledger", ENDORSED, "k")
    assert stored is not None and stored.value == b"1"


def test_public_writes_in_the_same_transaction_still_need_the_chaincode_policy(
    channel: DevnetChannel,
) -> None:
    mixed = RWSet(writes={"pub": b"x"}, collections=[Collection(ENDORSED, writes={"m": b"1"})])
    both = RWSet(writes={"pub": b"y"}, collections=[Collection(ENDORSED, writes={"m": b"2"})])
    block = channel.new_block_writer().write(
        [_private_tx(channel, [OPERATOR], mixed), _private_tx(channel, [OPERATOR, PROSUMER], both)]
    )
    assert codes(block) == [Code.ENDORSEMENT_POLICY_FAILURE, Code.VALID]


def test_config_reads_and_checks_the_collection_policy() -> None:
    raw = config_to_dict(default_config())
    raw["chaincodes"][0]["collections"].append(
        {"name": ENDORSED, "members": [OPERATOR], "endorsement_policy": f"OR('{OPERATOR}.peer')"}
    )
    parsed = parse_config(raw).chaincodes[0].collection(ENDORSED)
    assert parsed is not None and parsed.endorsement_policy == f"OR('{OPERATOR}.peer')"
    raw["chaincodes"][0]["collections"][-1]["endorsement_policy"] = "AND(nonsense"
    with pytest.raises(ConfigError, match="operatorEndorsed': endorsement_policy"):
        parse_config(raw)
