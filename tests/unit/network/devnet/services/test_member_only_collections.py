"""Collections with memberOnlyRead / memberOnlyWrite: the proposal creator's organisation is
checked before every private read but the hash, and before every private write (Fabric's
``core/chaincode/handler.go``; scenario ``member_only_collection`` on real Fabric)."""

from __future__ import annotations

import hashlib

import pytest
from gridledger_network.devnet.chaincode_support import (
    CollectionDefinition,
    SimulationError,
    TxSimulator,
)
from services_memory_state import MemoryState

CC = "gridledger"
OPERATOR, PROSUMER = "OperatorMSP", "ProsumerMSP"
COLLECTIONS = {
    CC: {
        "open": CollectionDefinition("open", frozenset({OPERATOR})),
        "readOnly": CollectionDefinition("readOnly", frozenset({OPERATOR}), member_only_read=True),
        "writeOnly": CollectionDefinition(
            "writeOnly", frozenset({OPERATOR}), member_only_write=True
        ),
        "both": CollectionDefinition(
            "both", frozenset({OPERATOR}), member_only_read=True, member_only_write=True
        ),
    }
}
READ = "tx creator does not have read access permission on privatedata in chaincodeName:{} "
WRITE = "tx creator does not have write access permission on privatedata in chaincodeName:{} "


def simulator(creator: str | None, state: MemoryState | None = None) -> TxSimulator:
    """A simulation on the operator's (member) peer for a proposal signed by ``creator``."""
    return TxSimulator(state or MemoryState(), "tx1", OPERATOR, COLLECTIONS, creator)


def _state() -> MemoryState:
    state = MemoryState()
    for name in COLLECTIONS[CC]:
        state.put_private(CC, name, "k", b"42")
    return state


@pytest.mark.parametrize("collection", ["readOnly", "both"])
def test_a_non_member_creator_cannot_read_through_a_member_peer(collection: str) -> None:
    sim = simulator(PROSUMER, _state())
    message = READ.format(CC) + f"collectionName: {collection}"
    with pytest.raises(SimulationError, match=message):
        sim.get_private_data(CC, collection, "k")
    with pytest.raises(SimulationError, match="read access"):
        sim.get_private_data_metadata(CC, collection, "k")
    with pytest.raises(SimulationError, match="read access"):
        sim.private_range_scan(CC, collection, "", "")
    # the hash stays readable by anyone (an auditor checks data against it)
    assert sim.get_private_data_hash(CC, collection, "k") == hashlib.sha256(b"42").digest()


@pytest.mark.parametrize("collection", ["open", "writeOnly"])
def test_without_member_only_read_a_non_member_creator_reads(collection: str) -> None:
    assert simulator(PROSUMER, _state()).get_private_data(CC, collection, "k") == b"42"


@pytest.mark.parametrize("collection", ["writeOnly", "both"])
def test_a_non_member_creator_cannot_write_delete_or_purge(collection: str) -> None:
    sim = simulator(PROSUMER, _state())
    message = WRITE.format(CC) + f"collectionName: {collection}"
    with pytest.raises(SimulationError, match=message):
        sim.set_private_data(CC, collection, "k", b"1")
    with pytest.raises(SimulationError, match="write access"):
        sim.delete_private_data(CC, collection, "k")
    with pytest.raises(SimulationError, match="write access"):
        sim.purge_private_data(CC, collection, "k")
    with pytest.raises(SimulationError, match="write access"):
        sim.set_private_data_metadata(CC, collection, "k", {"m": b"v"})
    assert sim.results().private is None


@pytest.mark.parametrize("collection", ["open", "readOnly"])
def test_without_member_only_write_a_non_member_creator_writes(collection: str) -> None:
    sim = simulator(PROSUMER)
    sim.set_private_data(CC, collection, "k", b"1")
    assert sim.results().private is not None


def test_a_member_creator_reads_and_writes_and_no_creator_is_not_checked() -> None:
    for creator in (OPERATOR, None):
        sim = simulator(creator, _state())
        assert sim.get_private_data(CC, "both", "k") == b"42"
        other = simulator(creator)
        other.set_private_data(CC, "both", "k2", b"1")
        assert other.results().private is not None
