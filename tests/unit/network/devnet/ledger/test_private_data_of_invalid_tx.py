"""An invalid transaction's private write set is kept with its block (Fabric's
StorePvtDataOfInvalidTx, as DeliverWithPrivateData on Fabric 3.1.5 shows), without touching the
private state; a later purge of the key takes it out too."""

from __future__ import annotations

from devnet_ledger_helpers import Code, Collection, RWSet, codes, endorser_tx, user_signer
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from gridledger_network.devnet.channel import DevnetChannel

OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"
COLL = "operatorPrivate"


def _commit(channel: DevnetChannel, collection: Collection, *orgs: str) -> list[int]:
    rwset = RWSet(collections=[collection])
    tx = endorser_tx(user_signer(channel), [channel.peer_signers[o] for o in orgs], rwset)
    channel.transient_store.put(tx.tx_id, rwset.private_rwset())
    return codes(channel.new_block_writer().write([tx.envelope]))


def _writes_in_block(channel: DevnetChannel, number: int) -> list[tuple[int, str, bytes]]:
    found: list[tuple[int, str, bytes]] = []
    for index, txset in sorted(channel.ledger.private_data_for_block(number).items()):
        for ns in txset.ns_pvt_rwset:
            for coll in ns.collection_pvt_rwset:
                kv = kv_rwset_pb2.KVRWSet.FromString(coll.rwset)
                found += [(index, w.key, bytes(w.value)) for w in kv.writes]
    return found


def test_invalid_transaction_keeps_its_private_write_set_but_no_state(
    channel: DevnetChannel,
) -> None:
    both = (OPERATOR, PROSUMER)
    assert _commit(channel, Collection(COLL, writes={"m": b"kept"}), *both) == [Code.VALID]
    invalid = _commit(channel, Collection(COLL, writes={"m": b"not kept"}), OPERATOR)
    assert invalid == [Code.ENDORSEMENT_POLICY_FAILURE]
    assert _writes_in_block(channel, 2) == [(0, "m", b"not kept")]
    stored = channel.ledger.get_private_data("gridledger", COLL, "m")
    assert stored is not None and stored.value == b"kept"

    purge = Collection(COLL, writes={"m": None}, purges=["m"])
    assert _commit(channel, purge, *both) == [Code.VALID]
    assert [_writes_in_block(channel, n) for n in (1, 2, 3)] == [[], [], []]
    assert channel.ledger.get_private_data("gridledger", COLL, "m") is None
