"""A range query of more than 50 keys in a submitted transaction: its read set carries Fabric's
Merkle summary instead of every key read, the same results commit, and a key inserted into the
range between endorsement and commit makes the transaction a phantom read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.peer import proposal_pb2, proposal_response_pb2, transaction_pb2

pytestmark = pytest.mark.integration

VALID = 0
PHANTOM_READ_CONFLICT = 12
KEYS = 120  # 51 + 51 + 18 results: three level-1 hashes


def kv_rwset(transaction: Any, namespace: str) -> Any:
    """The endorsed ``kvrwset.KVRWSet`` of ``namespace`` in a prepared transaction."""
    prepared = gateway_pb2.PreparedTransaction.FromString(transaction.bytes())
    payload = common_pb2.Payload.FromString(prepared.envelope.payload)
    (action,) = transaction_pb2.Transaction.FromString(payload.data).actions
    action_payload = transaction_pb2.ChaincodeActionPayload.FromString(action.payload)
    response = proposal_response_pb2.ProposalResponsePayload.FromString(
        action_payload.action.proposal_response_payload
    )
    results = proposal_pb2.ChaincodeAction.FromString(response.extension).results
    for ns in rwset_pb2.TxReadWriteSet.FromString(results).ns_rwset:
        if ns.namespace == namespace:
            return kv_rwset_pb2.KVRWSet.FromString(ns.rwset)
    raise AssertionError(f"no read-write set for {namespace}")


@pytest.fixture
def range_keys(kv: Any, unique_key: str) -> tuple[str, str]:
    commits = [
        kv.new_proposal("Put", args=[f"{unique_key}r{i:03d}", "v"]).endorse().submit()
        for i in range(KEYS)
    ]
    assert all(commit.status().successful for commit in commits)
    return f"{unique_key}r", f"{unique_key}s"


def test_range_over_50_keys_is_summarised_and_commits_unchanged(
    kv: Any, range_keys: tuple[str, str], test_network: Any
) -> None:
    start, end = range_keys
    reader = kv.new_proposal("Range", args=[start, end]).endorse()
    assert len(json.loads(reader.result)) == KEYS
    kv_set = kv_rwset(reader, test_network.chaincode)
    (info,) = kv_set.range_queries_info
    assert not info.HasField("raw_reads")
    summary = info.reads_merkle_hashes
    assert (summary.max_degree, summary.max_level, len(summary.max_level_hashes)) == (50, 1, 3)
    raw_size = kv_rwset_pb2.QueryReads(
        kv_reads=[kv_rwset_pb2.KVRead(key=f"{start}{i:03d}") for i in range(KEYS)]
    ).ByteSize()
    assert kv_set.ByteSize() < 400 < raw_size // 10
    assert reader.submit().status().code == VALID


def test_insert_into_a_summarised_range_before_commit_is_a_phantom(
    kv: Any, range_keys: tuple[str, str]
) -> None:
    start, end = range_keys
    reader = kv.new_proposal("Range", args=[start, end]).endorse()
    kv.submit("Put", f"{start}050a", "phantom")
    status = reader.submit().status()
    assert status.code == PHANTOM_READ_CONFLICT
    assert not status.successful


def test_delete_from_a_summarised_range_before_commit_is_a_phantom(
    kv: Any, range_keys: tuple[str, str]
) -> None:
    start, end = range_keys
    reader = kv.new_proposal("Range", args=[start, end]).endorse()
    kv.submit("Delete", f"{start}119")
    assert reader.submit().status().code == PHANTOM_READ_CONFLICT
