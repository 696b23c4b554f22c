"""The devnet's ledger as a client sees it: duplicate transactions, phantom reads, the block hash
chain and a restart that keeps every block and all state."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from fabric_protos.peer import transaction_pb2
from gridledger_network.devnet.ledger.blocks import block_header_hash, compute_data_hash
from harness.blocks import transaction_ids, validation_codes
from harness.devnet import TestNetwork, running_test_network
from harness.streams import read_until

pytestmark = pytest.mark.integration

VALID = transaction_pb2.TxValidationCode.Value("VALID")
DUPLICATE_TXID = transaction_pb2.TxValidationCode.Value("DUPLICATE_TXID")
PHANTOM_READ_CONFLICT = transaction_pb2.TxValidationCode.Value("PHANTOM_READ_CONFLICT")


def _blocks_up_to(network: Any, last: int) -> list[Any]:
    blocks = read_until(network.block_events(start_block=0), lambda b: b.header.number >= last)
    assert [b.header.number for b in blocks] == list(range(last + 1))
    return blocks


def _assert_hash_chain(blocks: list[Any]) -> None:
    """Each block names its predecessor's header hash (Fabric's ASN.1 DER header, pinned to byte
    vectors in tests/unit/network/devnet/ledger/test_ledger_store.py) and hashes its own data."""
    for previous, block in itertools.pairwise(blocks):
        assert bytes(block.header.previous_hash) == block_header_hash(previous.header)
    for block in blocks:
        assert bytes(block.header.data_hash) == compute_data_hash(list(block.data.data))


def test_the_same_signed_transaction_submitted_twice_commits_once(
    kv: Any, operator_network: Any, unique_key: str
) -> None:
    transaction = kv.new_proposal("Put", args=[unique_key, "once"]).endorse()
    first = transaction.submit().status()
    assert first.successful
    second = transaction.submit().status()  # same envelope again: the ledger keeps the first
    assert (second.code, second.block_number) == (VALID, first.block_number)

    marker = kv.new_proposal("Put", args=[unique_key + "marker", "x"]).endorse()
    last = marker.submit().status().block_number
    blocks = read_until(
        operator_network.block_events(start_block=first.block_number),
        lambda b: b.header.number >= last,
    )
    codes = [
        code
        for block in blocks
        for tx_id, code in zip(transaction_ids(block), validation_codes(block), strict=True)
        if tx_id == transaction.transaction_id
    ]
    assert codes == [VALID, DUPLICATE_TXID]
    assert kv.evaluate("Get", unique_key) == b"once"


def test_a_range_read_invalidated_by_a_new_key_is_a_phantom_read(kv: Any, unique_key: str) -> None:
    kv.submit("Put", unique_key + "a", "1")
    kv.submit("Put", unique_key + "c", "3")
    range_reader = kv.new_proposal("Range", args=[unique_key + "a", unique_key + "z"]).endorse()
    kv.submit("Put", unique_key + "b", "2")  # appears inside the range after it was simulated
    status = range_reader.submit().status()
    assert not status.successful
    assert status.code == PHANTOM_READ_CONFLICT


def test_blocks_chain_and_survive_a_restart(tmp_path: Path) -> None:
    home = tmp_path / "devnet"
    with running_test_network(home, with_node_chaincode=False) as network:
        height, digest = _write_and_read_chain(network)
    with (
        running_test_network(home, with_node_chaincode=False) as network,
        network.profile.connect("ProsumerMSP", user="User1") as gateway,
    ):
        kv = gateway.network(network.channel).contract(network.chaincode, "kv")
        assert kv.evaluate("Get", "restart-key-9") == b"value-9"
        assert b"value-0" in kv.evaluate("History", "restart-key-0")
        blocks = _blocks_up_to(gateway.network(network.channel), height - 1)
        _assert_hash_chain(blocks)
        assert block_header_hash(blocks[-1].header) == digest
        assert kv.submit("Put", "after-restart", "ok") == b""


def _write_and_read_chain(network: TestNetwork) -> tuple[int, bytes]:
    with network.profile.connect("GridOperatorMSP", user="User1") as gateway:
        channel = gateway.network(network.channel)
        kv = channel.contract(network.chaincode, "kv")
        for i in range(10):
            kv.submit("Put", f"restart-key-{i}", f"value-{i}")
        last = kv.new_proposal("Noop").endorse().submit().status().block_number
        blocks = _blocks_up_to(channel, last)
        _assert_hash_chain(blocks)
        return last + 1, block_header_hash(blocks[-1].header)
