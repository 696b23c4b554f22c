"""The SQLite ledger: hash chain, reopen with all intact, reads, waiters, private data BTL."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from devnet_ledger_helpers import Code, Collection, RWSet, endorser_tx, user_signer
from fabric_protos.common import common_pb2
from gridledger_network.devnet.channel import DevnetChannel, open_channel
from gridledger_network.devnet.config import CollectionConfig, DevnetConfig
from gridledger_network.devnet.interfaces import Version
from gridledger_network.devnet.ledger import (
    BlockCommit,
    LedgerError,
    SqliteLedger,
    block_header_hash,
    compute_data_hash,
    header_bytes,
    new_block,
)
from gridledger_network.devnet.ledger.store import PAGE
from gridledger_network.devnet.msp import verify_signature

SLOT = common_pb2.BlockMetadataIndex


def test_header_bytes_are_fabric_asn1_der() -> None:
    # what Go's encoding/asn1 gives for protoutil's asn1Header{big.Int, []byte, []byte}
    assert header_bytes(0, b"", b"") == bytes.fromhex("30 07 020100 0400 0400".replace(" ", ""))
    assert header_bytes(128, b"\x01", b"\x02") == bytes.fromhex(
        "30 0a 02020080 040101 040102".replace(" ", "")
    )
    long_hash = b"\xaa" * 200
    encoded = header_bytes(1, long_hash, b"")
    assert encoded[:2] == b"\x30\x81" and encoded[6:9] == b"\x04\x81\xc8"
    assert (
        encoded == bytes.fromhex("3081d0 020101 0481c8".replace(" ", "")) + long_hash + b"\x04\x00"
    )
    assert header_bytes(256, b"", b"") == bytes.fromhex("30 08 02020100 0400 0400".replace(" ", ""))


def _write_blocks(channel: DevnetChannel, count: int) -> list[str]:
    writer = channel.new_block_writer()
    client = user_signer(channel)
    peers = list(channel.peer_signers.values())
    tx_ids = []
    for i in range(count):
        tx = endorser_tx(client, peers, RWSet(writes={"counter": str(i).encode(), f"b{i}": b"x"}))
        writer.write([tx.envelope])
        tx_ids.append(tx.tx_id)
    return tx_ids


def _check_chain(ledger: SqliteLedger) -> None:
    previous = b""
    for n in range(ledger.height):
        block = ledger.block(n)
        assert block.header.number == n
        assert block.header.previous_hash == previous
        assert block.header.data_hash == compute_data_hash(list(block.data.data))
        previous = block_header_hash(block.header)
    assert previous == ledger.last_block_hash


def test_hash_chain_state_history_and_index_survive_reopen(
    devnet_home: Path, config: DevnetConfig
) -> None:
    channel = open_channel(devnet_home, config)
    tx_ids = _write_blocks(channel, 3)
    commit_hash = channel.ledger.commit_hash
    channel.close()

    reopened = open_channel(devnet_home, config)
    ledger = reopened.ledger
    assert ledger.height == 4
    _check_chain(ledger)
    counter = ledger.get_state("gridledger", "counter")
    assert counter is not None and counter.value == b"2" and counter.version == Version(3, 0)
    assert [h.tx_id for h in ledger.history("gridledger", "counter")] == tx_ids[::-1]
    assert all(ledger.tx_status(t) is not None for t in tx_ids)
    assert ledger.commit_hash == commit_hash
    block = ledger.block(3)
    assert (
        common_pb2.Metadata.FromString(block.metadata.metadata[SLOT.COMMIT_HASH]).value
        == commit_hash
    )
    # the next block chains on the reopened ledger
    _write_blocks(reopened, 1)
    _check_chain(ledger)
    reopened.close()


def test_blocks_are_signed_by_the_orderer(channel: DevnetChannel) -> None:
    _write_blocks(channel, 1)
    block = channel.ledger.block(1)
    meta = common_pb2.Metadata.FromString(block.metadata.metadata[SLOT.SIGNATURES])
    signature = meta.signatures[0]
    header = common_pb2.SignatureHeader.FromString(signature.signature_header)
    assert header.creator == channel.orderer_signer.serialized_identity
    signed = (
        meta.value
        + signature.signature_header
        + header_bytes(block.header.number, block.header.previous_hash, block.header.data_hash)
    )
    key = channel.orderer_signer.certificate.public_key()
    assert verify_signature(key, signed, signature.signature)  # type: ignore[arg-type]
    last_config = common_pb2.LastConfig.FromString(
        common_pb2.Metadata.FromString(block.metadata.metadata[SLOT.LAST_CONFIG]).value
    )
    assert last_config.index == 0


def test_out_of_order_block_is_refused(channel: DevnetChannel) -> None:
    with pytest.raises(LedgerError):
        channel.ledger.commit(BlockCommit(block=new_block(5, channel.ledger.last_block_hash, [])))
    with pytest.raises(LedgerError):
        channel.ledger.commit(BlockCommit(block=new_block(1, b"wrong", [])))
    assert channel.ledger.height == 1


def test_range_reads_past_a_page_in_byte_order(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    keys = {f"\x00meter\x00{i:04d}\x00": b"v" for i in range(PAGE + 10)}
    writes = dict(keys, after=b"x")
    writer.write(
        [
            endorser_tx(
                user_signer(channel), list(channel.peer_signers.values()), RWSet(writes=writes)
            ).envelope
        ]
    )
    found = [k for k, _ in channel.ledger.range("gridledger", "\x00meter\x00", "\x00meter\x01")]
    assert found == sorted(keys)
    assert [k for k, _ in channel.ledger.range("gridledger", "", "")][-1] == "after"


def test_wait_for_height_and_on_commit(channel: DevnetChannel) -> None:
    committed: list[int] = []
    channel.ledger.on_commit(lambda block: committed.append(block.header.number))

    async def scenario() -> None:
        await channel.ledger.wait_for_height(1)  # already there
        waiter = asyncio.ensure_future(channel.ledger.wait_for_height(2))
        await asyncio.sleep(0)
        assert not waiter.done()
        await asyncio.get_running_loop().run_in_executor(None, _write_blocks, channel, 1)
        await waiter

    asyncio.run(scenario())
    assert committed == [1]


def test_private_data_purged_after_block_to_live(devnet_home: Path, config: DevnetConfig) -> None:
    chaincode = config.chaincodes[0]
    btl_chaincode = type(chaincode)(
        name=chaincode.name,
        address=chaincode.address,
        policy=chaincode.policy,
        collections=(CollectionConfig("operatorPrivate", ("GridOperatorMSP",), 2),),
    )
    config = type(config)(
        config.channel, config.peers, config.batch, config.users, (btl_chaincode,)
    )
    channel = open_channel(devnet_home, config)
    peers = list(channel.peer_signers.values())
    rwset = RWSet(collections=[Collection("operatorPrivate", writes={"secret": b"s"})])
    tx = endorser_tx(user_signer(channel), peers, rwset)
    channel.transient_store.put(tx.tx_id, rwset.private_rwset())
    writer = channel.new_block_writer()
    assert list(writer.write([tx.envelope]).metadata.metadata[SLOT.TRANSACTIONS_FILTER]) == [
        Code.VALID
    ]
    key_hash = hashlib.sha256(b"secret").digest()
    for _ in range(2):  # blocks 2 and 3: still there (committed at 1, block_to_live 2)
        _write_blocks(channel, 1)
        assert (
            channel.ledger.get_private_data("gridledger", "operatorPrivate", "secret") is not None
        )
    _write_blocks(channel, 1)  # block 4 = 1 + 2 + 1: purged
    assert channel.ledger.get_private_data("gridledger", "operatorPrivate", "secret") is None
    assert channel.ledger.get_private_data_hash("gridledger", "operatorPrivate", key_hash) is None
    assert channel.ledger.private_data_for_block(1) == {}
    channel.close()
