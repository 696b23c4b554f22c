"""The transaction simulator records Fabric kvrwset read-write sets."""

from __future__ import annotations

import hashlib

import pytest
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from gridledger_network.devnet.chaincode_support import (
    CollectionDefinition,
    SimulationError,
    TxSimulator,
)
from services_memory_state import MemoryState

CC = "gridledger"
COLLECTIONS = {
    CC: {"operatorPrivate": CollectionDefinition("operatorPrivate", frozenset({"OperatorMSP"}))}
}


def simulator(state: MemoryState, msp_id: str = "OperatorMSP") -> TxSimulator:
    return TxSimulator(state, "tx1", msp_id, COLLECTIONS)


def kv_rwset(sim: TxSimulator, namespace: str = CC) -> kv_rwset_pb2.KVRWSet:
    for ns in sim.results().public.ns_rwset:
        if ns.namespace == namespace:
            return kv_rwset_pb2.KVRWSet.FromString(ns.rwset)
    raise AssertionError(f"no rwset for {namespace}")


def test_reads_carry_committed_versions_and_missing_keys_have_none() -> None:
    state = MemoryState()
    state.put(CC, "meter1", b"a", block=3, tx=2)
    sim = simulator(state)
    assert sim.get_state(CC, "meter1") == b"a"
    assert sim.get_state(CC, "absent") is None
    reads = {r.key: r for r in kv_rwset(sim).reads}
    assert (reads["meter1"].version.block_num, reads["meter1"].version.tx_num) == (3, 2)
    assert not reads["absent"].HasField("version")


def test_writes_are_sorted_last_write_wins_and_not_visible_to_reads() -> None:
    state = MemoryState()
    state.put(CC, "b", b"old")
    sim = simulator(state)
    sim.set_state(CC, "b", b"new1")
    sim.set_state(CC, "b", b"new2")
    sim.set_state(CC, "a", b"x")
    sim.delete_state(CC, "c")
    assert sim.get_state(CC, "b") == b"old"  # Fabric: no read-your-writes
    writes = kv_rwset(sim).writes
    assert [(w.key, w.value, w.is_delete) for w in writes] == [
        ("a", b"x", False),
        ("b", b"new2", False),
        ("c", b"", True),
    ]


def test_identical_simulations_give_identical_bytes() -> None:
    state = MemoryState()
    state.put(CC, "k", b"v")

    def run() -> bytes:
        sim = simulator(state)
        sim.get_state(CC, "k")
        sim.set_state(CC, "z", b"1")
        sim.set_state(CC, "y", b"2")
        return sim.results().public_bytes

    assert run() == run()


def test_range_query_records_raw_reads_and_exhaustion() -> None:
    state = MemoryState()
    for i in range(3):
        state.put(CC, f"r{i}", b"v", block=1, tx=i)
    state.put(CC, "s0", b"outside")
    sim = simulator(state)
    scan = sim.range_scan(CC, "r", "s")
    keys = []
    while (row := scan.next()) is not None:
        keys.append(row[0])
    assert keys == ["r0", "r1", "r2"]
    (info,) = kv_rwset(sim).range_queries_info
    assert (info.start_key, info.end_key, info.itr_exhausted) == ("r", "s", True)
    assert [(r.key, r.version.tx_num) for r in info.raw_reads.kv_reads] == [
        ("r0", 0),
        ("r1", 1),
        ("r2", 2),
    ]
    assert not kv_rwset(sim).reads  # range reads are not point reads


def test_partially_consumed_range_ends_at_last_key_read() -> None:
    state = MemoryState()
    for i in range(3):
        state.put(CC, f"r{i}", b"v")
    sim = simulator(state)
    scan = sim.range_scan(CC, "r", "")
    scan.next()
    (info,) = kv_rwset(sim).range_queries_info
    assert (info.end_key, info.itr_exhausted) == ("r0", False)


def test_paginated_scan_stops_at_page_size_and_gives_bookmark() -> None:
    state = MemoryState()
    for i in range(5):
        state.put(CC, f"r{i}", b"v")
    sim = simulator(state)
    scan = sim.range_scan(CC, "r", "s", page_size=2)
    assert [scan.next(), scan.next(), scan.next()] == [("r0", b"v"), ("r1", b"v"), None]
    assert scan.bookmark() == "r2"
    with pytest.raises(SimulationError, match="paginated query"):
        sim.set_state(CC, "x", b"1")


def test_private_write_is_hashed_publicly_and_kept_privately() -> None:
    sim = simulator(MemoryState())
    sim.set_private_data(CC, "operatorPrivate", "secret", b"42")
    results = sim.results()
    (ns,) = results.public.ns_rwset
    (coll,) = ns.collection_hashed_rwset
    hashed = kv_rwset_pb2.HashedRWSet.FromString(coll.hashed_rwset)
    (write,) = hashed.hashed_writes
    assert write.key_hash == hashlib.sha256(b"secret").digest()
    assert write.value_hash == hashlib.sha256(b"42").digest()
    assert results.private is not None
    (pvt_ns,) = results.private.ns_pvt_rwset
    (pvt_coll,) = pvt_ns.collection_pvt_rwset
    assert coll.pvt_rwset_hash == hashlib.sha256(pvt_coll.rwset).digest()
    private_writes = kv_rwset_pb2.KVRWSet.FromString(pvt_coll.rwset).writes
    assert [(w.key, w.value) for w in private_writes] == [("secret", b"42")]


def test_private_read_records_hashed_read_and_non_member_cannot_read() -> None:
    state = MemoryState()
    state.put_private(CC, "operatorPrivate", "secret", b"42", block=2, tx=1)
    member = simulator(state)
    assert member.get_private_data(CC, "operatorPrivate", "secret") == b"42"
    (ns,) = member.results().public.ns_rwset
    hashed = kv_rwset_pb2.HashedRWSet.FromString(ns.collection_hashed_rwset[0].hashed_rwset)
    assert hashed.hashed_reads[0].version.block_num == 2
    assert member.results().private is None
    outsider = simulator(state, "ProsumerMSP")
    with pytest.raises(SimulationError, match="private data matching public hash version"):
        outsider.get_private_data(CC, "operatorPrivate", "secret")
    assert outsider.get_private_data_hash(CC, "operatorPrivate", "secret") == (
        hashlib.sha256(b"42").digest()
    )


def test_unknown_collection_is_refused_with_fabric_message() -> None:
    sim = simulator(MemoryState())
    with pytest.raises(SimulationError, match=r"collection \[nope\] not defined"):
        sim.set_private_data(CC, "nope", "k", b"v")
