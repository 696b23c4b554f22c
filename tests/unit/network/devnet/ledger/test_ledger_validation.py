"""Each validation code of the devnet's validator, for transactions built as Fabric builds them."""

from __future__ import annotations

import hashlib

from devnet_ledger_helpers import (
    Code,
    Collection,
    RWSet,
    codes,
    endorser_tx,
    range_info,
    user_signer,
)
from fabric_protos.common import common_pb2
from gridledger_network.devnet.channel import DevnetChannel
from gridledger_network.devnet.crypto.certificates import issue_ca, issue_identity
from gridledger_network.devnet.interfaces import Version
from gridledger_network.devnet.msp import LocalSigner
from gridledger_network.devnet.policy import parse_policy

OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"


def peers(channel: DevnetChannel) -> list[LocalSigner]:
    return [channel.peer_signers[OPERATOR], channel.peer_signers[PROSUMER]]


def test_valid_transaction_commits_state_history_and_index(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    tx = endorser_tx(user_signer(channel), peers(channel), RWSet(writes={"meter1": b"42"}))
    block = writer.write([tx.envelope])
    assert codes(block) == [Code.VALID]
    state = channel.ledger.get_state("gridledger", "meter1")
    assert state is not None and state.value == b"42" and state.version == Version(1, 0)
    assert [h.tx_id for h in channel.ledger.history("gridledger", "meter1")] == [tx.tx_id]
    status = channel.ledger.tx_status(tx.tx_id)
    assert status is not None and (status.validation_code, status.block_number) == (Code.VALID, 1)


def test_mvcc_conflict_against_committed_state_and_within_block(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    client = user_signer(channel)
    writer.write([endorser_tx(client, peers(channel), RWSet(writes={"k": b"1"})).envelope])
    stale = endorser_tx(client, peers(channel), RWSet(reads={"k": None}, writes={"k": b"2"}))
    fresh_a = endorser_tx(
        client, peers(channel), RWSet(reads={"k": Version(1, 0)}, writes={"k": b"3"})
    )
    fresh_b = endorser_tx(
        client, peers(channel), RWSet(reads={"k": Version(1, 0)}, writes={"k": b"4"})
    )
    block = writer.write([stale.envelope, fresh_a.envelope, fresh_b.envelope])
    assert codes(block) == [Code.MVCC_READ_CONFLICT, Code.VALID, Code.MVCC_READ_CONFLICT]
    state = channel.ledger.get_state("gridledger", "k")
    assert state is not None and state.value == b"3" and state.version == Version(2, 1)


def test_phantom_read_when_a_key_appears_in_a_read_range(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    client = user_signer(channel)
    writer.write(
        [endorser_tx(client, peers(channel), RWSet(writes={"r1": b"a", "r3": b"c"})).envelope]
    )
    seen = [("r1", Version(1, 0)), ("r3", Version(1, 0))]
    unchanged = endorser_tx(
        client, peers(channel), RWSet(ranges=[range_info("r", "s", seen)], writes={"x": b"1"})
    )
    insert = endorser_tx(client, peers(channel), RWSet(writes={"r2": b"b"}))
    phantom = endorser_tx(client, peers(channel), RWSet(ranges=[range_info("r", "s", seen)]))
    block = writer.write([unchanged.envelope, insert.envelope, phantom.envelope])
    assert codes(block) == [Code.VALID, Code.VALID, Code.PHANTOM_READ_CONFLICT]


def test_unexhausted_range_ignores_keys_after_its_last_read(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    client = user_signer(channel)
    writer.write(
        [endorser_tx(client, peers(channel), RWSet(writes={"p1": b"a", "p2": b"b"})).envelope]
    )
    page = range_info("p", "p1", [("p1", Version(1, 0))], exhausted=False)
    later_key = endorser_tx(client, peers(channel), RWSet(writes={"p3": b"c"}))
    reader = endorser_tx(client, peers(channel), RWSet(ranges=[page]))
    assert codes(writer.write([later_key.envelope, reader.envelope])) == [Code.VALID, Code.VALID]
    changed = endorser_tx(client, peers(channel), RWSet(writes={"p1": b"z"}))
    reader2 = endorser_tx(client, peers(channel), RWSet(ranges=[page]))
    assert codes(writer.write([changed.envelope, reader2.envelope])) == [
        Code.VALID,
        Code.PHANTOM_READ_CONFLICT,
    ]


def test_endorsement_policy_failure_with_one_org(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    client = user_signer(channel)
    one_org = endorser_tx(client, [channel.peer_signers[OPERATOR]], RWSet(writes={"k": b"1"}))
    same_twice = endorser_tx(
        client, [channel.peer_signers[OPERATOR]] * 2, RWSet(writes={"k": b"1"})
    )
    bad_sig = endorser_tx(
        client, peers(channel), RWSet(writes={"k": b"1"}), corrupt_endorsement=True
    )
    block = writer.write([one_org.envelope, same_twice.envelope, bad_sig.envelope])
    assert codes(block) == [Code.ENDORSEMENT_POLICY_FAILURE] * 3
    assert channel.ledger.get_state("gridledger", "k") is None


def test_key_level_endorsement_policy_overrides_chaincode_policy(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    client = user_signer(channel)
    only_prosumer = parse_policy("OR('ProsumerMSP.peer')").SerializeToString()
    setup = RWSet(
        writes={"owned": b"v0"}, metadata_writes={"owned": {"VALIDATION_PARAMETER": only_prosumer}}
    )
    writer.write([endorser_tx(client, peers(channel), setup).envelope])
    meta = channel.ledger.get_state("gridledger", "owned")
    assert meta is not None and meta.metadata["VALIDATION_PARAMETER"] == only_prosumer
    by_operator = endorser_tx(
        client, [channel.peer_signers[OPERATOR]], RWSet(writes={"owned": b"v1"})
    )
    by_prosumer = endorser_tx(
        client, [channel.peer_signers[PROSUMER]], RWSet(writes={"owned": b"v2"})
    )
    block = writer.write([by_operator.envelope, by_prosumer.envelope])
    assert codes(block) == [Code.ENDORSEMENT_POLICY_FAILURE, Code.VALID]
    state = channel.ledger.get_state("gridledger", "owned")
    assert state is not None and state.value == b"v2"
    assert state.metadata["VALIDATION_PARAMETER"] == only_prosumer  # value writes keep metadata


def test_bad_creator_signature(channel: DevnetChannel) -> None:
    other = user_signer(channel, PROSUMER)
    tx = endorser_tx(
        user_signer(channel), peers(channel), RWSet(writes={"k": b"1"}), sign_envelope=other
    )
    assert codes(channel.new_block_writer().write([tx.envelope])) == [Code.BAD_CREATOR_SIGNATURE]
    status = channel.ledger.tx_status(tx.tx_id)  # commit status is reported for invalid txs too
    assert status is not None and status.validation_code == Code.BAD_CREATOR_SIGNATURE


def test_unknown_msp_is_bad_creator_signature(channel: DevnetChannel) -> None:
    ca = issue_ca("ca.intruder.example", "intruder.example")
    stranger = issue_identity(ca, "mallory", "client")
    signer = LocalSigner("IntruderMSP", stranger.cert_pem, stranger.key)
    tx = endorser_tx(signer, peers(channel), RWSet(writes={"k": b"1"}))
    assert codes(channel.new_block_writer().write([tx.envelope])) == [Code.BAD_CREATOR_SIGNATURE]


def test_duplicate_tx_id_in_ledger_and_in_block(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    tx = endorser_tx(user_signer(channel), peers(channel), RWSet(writes={"k": b"1"}))
    assert codes(writer.write([tx.envelope, tx.envelope])) == [Code.VALID, Code.DUPLICATE_TXID]
    assert codes(writer.write([tx.envelope])) == [Code.DUPLICATE_TXID]
    status = channel.ledger.tx_status(tx.tx_id)
    assert status is not None and (status.validation_code, status.block_number) == (Code.VALID, 1)


def test_tx_id_must_derive_from_nonce_and_creator(channel: DevnetChannel) -> None:
    tx = endorser_tx(
        user_signer(channel), peers(channel), RWSet(writes={"k": b"1"}), tx_id="ab" * 32
    )
    assert codes(channel.new_block_writer().write([tx.envelope])) == [Code.BAD_PROPOSAL_TXID]


def test_undefined_chaincode_and_garbage_envelope(channel: DevnetChannel) -> None:
    tx = endorser_tx(
        user_signer(channel),
        peers(channel),
        RWSet(namespace="other", writes={"k": b"1"}),
        chaincode="other",
    )
    garbage = common_pb2.Envelope(payload=b"\xff\xff", signature=b"x").SerializeToString()
    block = channel.new_block_writer().write([tx.envelope, garbage])
    assert codes(block) == [Code.INVALID_CHAINCODE, Code.BAD_PAYLOAD]


def test_private_data_committed_from_transient_store(channel: DevnetChannel) -> None:
    rwset = RWSet(collections=[Collection("operatorPrivate", writes={"secret": b"s3"})])
    tx = endorser_tx(user_signer(channel), peers(channel), rwset)
    channel.transient_store.put(tx.tx_id, rwset.private_rwset())
    block = channel.new_block_writer().write([tx.envelope])
    assert codes(block) == [Code.VALID]
    value = channel.ledger.get_private_data("gridledger", "operatorPrivate", "secret")
    assert value is not None and value.value == b"s3"
    key_hash = hashlib.sha256(b"secret").digest()
    hashed = channel.ledger.get_private_data_hash("gridledger", "operatorPrivate", key_hash)
    assert hashed is not None and hashed.value == hashlib.sha256(b"s3").digest()
    pvt = channel.ledger.private_data_for_block(1)
    assert (
        list(pvt) == [0]
        and pvt[0].ns_pvt_rwset[0].collection_pvt_rwset[0].collection_name == "operatorPrivate"
    )
    assert channel.transient_store.get(tx.tx_id) == []


def test_policy_change_earlier_in_block_fails_later_writers(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    client = user_signer(channel)
    writer.write([endorser_tx(client, peers(channel), RWSet(writes={"asset": b"v0"})).envelope])
    operator_only = parse_policy("OR('GridOperatorMSP.peer')").SerializeToString()
    set_policy = RWSet(metadata_writes={"asset": {"VALIDATION_PARAMETER": operator_only}})
    block = writer.write(
        [
            endorser_tx(client, peers(channel), set_policy).envelope,
            endorser_tx(client, peers(channel), RWSet(writes={"asset": b"v1"})).envelope,
        ]
    )
    assert codes(block) == [Code.VALID, Code.ENDORSEMENT_POLICY_FAILURE]
    state = channel.ledger.get_state("gridledger", "asset")
    assert state is not None and state.value == b"v0"  # a metadata write keeps the value
    assert state.metadata == {"VALIDATION_PARAMETER": operator_only}
    assert state.version == Version(2, 0)
    solo = endorser_tx(client, [channel.peer_signers[OPERATOR]], RWSet(writes={"asset": b"v2"}))
    assert codes(writer.write([solo.envelope])) == [Code.VALID]


def test_private_read_conflict_and_delete(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    client = user_signer(channel)
    first = RWSet(collections=[Collection("operatorPrivate", writes={"p": b"1"})])
    tx = endorser_tx(client, peers(channel), first)
    channel.transient_store.put(tx.tx_id, first.private_rwset())
    writer.write([tx.envelope])
    stale = RWSet(collections=[Collection("operatorPrivate", hashed_reads={"p": None})])
    fresh = RWSet(
        collections=[
            Collection("operatorPrivate", writes={"p": None}, hashed_reads={"p": Version(1, 0)})
        ]
    )
    stale_tx = endorser_tx(client, peers(channel), stale)
    fresh_tx = endorser_tx(client, peers(channel), fresh)
    channel.transient_store.put(fresh_tx.tx_id, fresh.private_rwset())
    block = writer.write([stale_tx.envelope, fresh_tx.envelope])
    assert codes(block) == [Code.MVCC_READ_CONFLICT, Code.VALID]
    assert channel.ledger.get_private_data("gridledger", "operatorPrivate", "p") is None
