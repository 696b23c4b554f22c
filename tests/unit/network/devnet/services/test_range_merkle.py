"""Range query reads summarised as Fabric 3.1.5 does beyond 50 results (kvrwset Merkle summary).

The golden hashes below were printed by Fabric v3.1.5's own ``rwsetutil.RangeQueryResultsHelper``
(max degree 50, SHA-256) fed the same reads as ``_reads`` (keys ``k000000``..., versions
``(i // 7, i % 7)``); the independent computations restate the algorithm of its source.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from gridledger_network.devnet.chaincode_support import TxSimulator
from gridledger_network.devnet.interfaces import Version
from gridledger_network.devnet.query_reads import (
    MAX_DEGREE,
    QueryReadsSummarizer,
    range_matches,
    record_reads,
)
from services_memory_state import MemoryState

CC = "gridledger"
FABRIC_GOLDEN = {
    51: (1, ["24d0a33a484389678b84f0108a47f05e1a6ebf55d3416f29067aca6b1dbe03c2"]),
    2551: (2, ["d1e4dc5ad0ca2b156bf08ae6dbba96777341813c01328f56d22f0ad4d0f09a2c"]),
    2601: (2, ["5e9e4a948fb5ebcd718cd3eef2b671d059c9d6dac614108df6a9ab6e8946c777"]),
    2602: (
        2,
        [
            "5e9e4a948fb5ebcd718cd3eef2b671d059c9d6dac614108df6a9ab6e8946c777",
            "931d4edbb41cd7128aec872295e4b840e8c60b08ad5956a7730f1a86742e93aa",
        ],
    ),
    2704: (
        2,
        [
            "5e9e4a948fb5ebcd718cd3eef2b671d059c9d6dac614108df6a9ab6e8946c777",
            "1aa5a6e2d7355d91a061f51c87dae04ee03195eff03c6a83edc6cf858fb81db5",
        ],
    ),
    130101: (3, ["64d88e34f0db4822fbb4a2febc957dbbdf71845577bd54caeb73f3c160cbdb71"]),
}


def _reads(n: int) -> list[tuple[str, Version]]:
    return [(f"k{i:06d}", Version(i // 7, i % 7)) for i in range(n)]


def _summarise(reads: list[tuple[str, Version]]) -> tuple[list[Any], Any]:
    summarizer = QueryReadsSummarizer()
    for key, version in reads:
        summarizer.add(key, version)
    return summarizer.done()


def _info(reads: list[tuple[str, Version]]) -> Any:
    summarizer = QueryReadsSummarizer()
    for key, version in reads:
        summarizer.add(key, version)
    info = kv_rwset_pb2.RangeQueryInfo(start_key="k", end_key="l", itr_exhausted=True)
    record_reads(info, summarizer)
    return info


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _leaf(reads: list[tuple[str, Version]]) -> bytes:
    """SHA-256 of the proto-serialized kvrwset.QueryReads of ``reads`` (a level-1 node)."""
    message = kv_rwset_pb2.QueryReads(
        kv_reads=[
            kv_rwset_pb2.KVRead(key=k, version=kv_rwset_pb2.Version(block_num=v.block, tx_num=v.tx))
            for k, v in reads
        ]
    )
    return _sha(message.SerializeToString())


def test_max_degree_is_fabrics() -> None:
    assert MAX_DEGREE == 50


@pytest.mark.parametrize("n", [0, 1, 50])
def test_up_to_max_degree_results_stay_raw(n: int) -> None:
    raw, summary = _summarise(_reads(n))
    assert summary is None
    assert [(r.key, Version(r.version.block_num, r.version.tx_num)) for r in raw] == _reads(n)
    info = _info(_reads(n))
    assert not info.HasField("reads_merkle_hashes")
    assert info.HasField("raw_reads") == (n > 0)  # Fabric sets nothing for no results


def test_51_results_make_one_leaf_of_51_reads() -> None:
    reads = _reads(51)
    raw, summary = _summarise(reads)
    assert raw == []
    assert (summary.max_degree, summary.max_level) == (50, 1)
    assert list(summary.max_level_hashes) == [_leaf(reads)]
    info = _info(reads)
    assert not info.HasField("raw_reads") and info.reads_merkle_hashes == summary


def test_2551_results_make_one_level_2_node_over_51_leaves() -> None:
    reads = _reads(2551)
    _, summary = _summarise(reads)
    leaves = [_leaf(reads[i : i + 51]) for i in range(0, 2551, 51)]
    assert len(leaves) == 51 and len(leaves[-1]) == 32
    assert (summary.max_level, list(summary.max_level_hashes)) == (2, [_sha(b"".join(leaves))])


def test_done_moves_a_lone_leaf_up_and_combines_several() -> None:
    reads = _reads(2704)  # 53 full leaves of 51, then one read
    _, summary = _summarise(reads)
    leaves = [_leaf(reads[i : i + 51]) for i in range(0, 2704, 51)]
    first = _sha(b"".join(leaves[:51]))
    assert list(summary.max_level_hashes) == [first, _sha(b"".join(leaves[51:]))]
    _, summary = _summarise(_reads(2602))
    assert list(summary.max_level_hashes) == [first, _leaf(_reads(2602)[2601:])]


@pytest.mark.parametrize("n", sorted(FABRIC_GOLDEN))
def test_summary_is_byte_equal_to_fabrics(n: int) -> None:
    level, hashes = FABRIC_GOLDEN[n]
    _, summary = _summarise(_reads(n))
    expected = kv_rwset_pb2.QueryReadsMerkleSummary(
        max_degree=50, max_level=level, max_level_hashes=[bytes.fromhex(h) for h in hashes]
    )
    assert summary.SerializeToString() == expected.SerializeToString()


@pytest.mark.parametrize("n", [51, 2550, 2551, 2704])
def test_unchanged_results_match_their_summary(n: int) -> None:
    assert range_matches(_info(_reads(n)), _reads(n))


@pytest.mark.parametrize("n", [51, 2550, 2551, 2704])
def test_phantom_in_a_summarised_range_is_detected(n: int) -> None:
    reads = _reads(n)
    info = _info(reads)
    inserted = sorted([*reads, ("k000010a", Version(9, 0))])
    deleted = reads[:10] + reads[11:]
    updated = [*reads[:-1], (reads[-1][0], Version(99, 0))]
    appended = [*reads, ("k999999", Version(9, 0))]
    for current in (inserted, deleted, updated, appended, reads[:-1]):
        assert not range_matches(info, current)


def test_fifty_one_extra_results_after_a_full_level_are_a_phantom() -> None:
    # 2,550 results: level 1 holds exactly 50 leaves; 51 more keys build a level-2 node
    # during the re-check (Fabric 3.1.5's validator indexes past its hashes here).
    info = _info(_reads(2550))
    assert info.reads_merkle_hashes.max_level == 1
    assert not range_matches(info, _reads(2601))


def test_raw_reads_still_compared_key_by_key() -> None:
    info = _info(_reads(3))
    assert range_matches(info, _reads(3))
    assert not range_matches(info, _reads(4))
    assert range_matches(_info([]), [])
    assert not range_matches(_info([]), _reads(1))


def test_a_summary_of_max_degree_below_2_never_matches() -> None:
    info = _info(_reads(51))
    info.reads_merkle_hashes.max_degree = 1
    assert not range_matches(info, _reads(51))


def _simulate_range(stored: int, read: int | None) -> tuple[TxSimulator, Any]:
    """Simulate reading ``read`` results (all if None) of a range of ``stored`` keys; the
    simulator and its recorded RangeQueryInfo."""
    state = MemoryState()
    for key, version in _reads(stored):
        state.put(CC, key, b"v", block=version.block, tx=version.tx)
    sim = TxSimulator(state, "tx1", "OperatorMSP", {})
    scan = sim.range_scan(CC, "k", "l")
    count = 0
    while (read is None or count < read) and scan.next() is not None:
        count += 1
    assert count == (stored if read is None else read)
    (ns,) = sim.results().public.ns_rwset
    (info,) = kv_rwset_pb2.KVRWSet.FromString(ns.rwset).range_queries_info
    return sim, info


def test_simulator_records_a_large_range_as_a_summary() -> None:
    sim, info = _simulate_range(2551, None)
    assert (info.start_key, info.end_key, info.itr_exhausted) == ("k", "l", True)
    assert not info.HasField("raw_reads")
    level, hashes = FABRIC_GOLDEN[2551]
    assert info.reads_merkle_hashes.max_level == level
    assert [h.hex() for h in info.reads_merkle_hashes.max_level_hashes] == hashes
    assert len(sim.results().public_bytes) < 300


def test_simulator_summarises_a_partly_read_range_up_to_its_last_key() -> None:
    _, info = _simulate_range(200, 60)
    assert (info.end_key, info.itr_exhausted) == ("k000059", False)
    reads = _reads(60)
    assert list(info.reads_merkle_hashes.max_level_hashes) == [
        _leaf(reads[:51]),
        _leaf(reads[51:]),
    ]
    assert range_matches(info, _reads(60))
