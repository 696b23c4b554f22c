"""PurgePrivateData on the devnet ledger: value, hash and every older version in the private
write sets of earlier blocks are gone, on the committed ledger, also after reopening it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from devnet_ledger_helpers import Code, Collection, RWSet, codes, endorser_tx, user_signer
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from gridledger_network.devnet.channel import DevnetChannel, open_channel
from gridledger_network.devnet.config import DevnetConfig

OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"
COLL = "operatorPrivate"


def _commit(channel: DevnetChannel, collection: Collection) -> list[int]:
    rwset = RWSet(collections=[collection])
    signers = [channel.peer_signers[OPERATOR], channel.peer_signers[PROSUMER]]
    tx = endorser_tx(user_signer(channel), signers, rwset)
    channel.transient_store.put(tx.tx_id, rwset.private_rwset())
    return codes(channel.new_block_writer().write([tx.envelope]))


def _keys_in_block(channel: DevnetChannel, number: int) -> list[str]:
    keys: list[str] = []
    for txset in channel.ledger.private_data_for_block(number).values():
        for ns in txset.ns_pvt_rwset:
            for coll in ns.collection_pvt_rwset:
                keys += [w.key for w in kv_rwset_pb2.KVRWSet.FromString(coll.rwset).writes]
    return keys


def _gone(channel: DevnetChannel, key: str) -> bool:
    key_hash = hashlib.sha256(key.encode()).digest()
    return (
        channel.ledger.get_private_data("gridledger", COLL, key) is None
        and channel.ledger.get_private_data_hash("gridledger", COLL, key_hash) is None
    )


def test_purge_removes_value_hash_and_older_versions_and_stays_purged(
    devnet_home: Path, config: DevnetConfig
) -> None:
    channel = open_channel(devnet_home, config)
    try:
        assert _commit(channel, Collection(COLL, writes={"meter-1": b"v1", "other": b"o"})) == [
            Code.VALID
        ]
        assert _commit(channel, Collection(COLL, writes={"meter-1": b"v2"})) == [Code.VALID]
        assert _keys_in_block(channel, 1) == ["meter-1", "other"]
        purge = Collection(COLL, writes={"meter-1": None}, purges=["meter-1"])
        assert _commit(channel, purge) == [Code.VALID]
        assert _gone(channel, "meter-1")
        assert _keys_in_block(channel, 1) == ["other"], "the older version left block 1"
        assert _keys_in_block(channel, 2) == [], "block 2 held only the purged key"
        assert _keys_in_block(channel, 3) == ["meter-1"], "the purge's own delete stays"
    finally:
        channel.close()
    # a peer that was down during the purge reads the committed ledger: nothing comes back
    reopened = open_channel(devnet_home, config)
    try:
        assert _gone(reopened, "meter-1")
        assert _keys_in_block(reopened, 1) == ["other"]
        assert reopened.ledger.get_private_data("gridledger", COLL, "other") is not None
        # a write after the purge is a new value, kept
        assert _commit(reopened, Collection(COLL, writes={"meter-1": b"v3"})) == [Code.VALID]
        assert not _gone(reopened, "meter-1")
    finally:
        reopened.close()


def test_a_delete_is_not_a_purge(channel: DevnetChannel) -> None:
    assert _commit(channel, Collection(COLL, writes={"k": b"v"})) == [Code.VALID]
    assert _commit(channel, Collection(COLL, writes={"k": None})) == [Code.VALID]
    assert _gone(channel, "k")
    assert _keys_in_block(channel, 1) == ["k"], "a delete keeps the older private write sets"
