"""Turn a batch of envelopes into the next block: header, orderer signature, validation, commit."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fabric_protos.common import common_pb2

from gridledger_network.devnet.ledger.blocks import block_header_bytes, new_block
from gridledger_network.devnet.ledger.store import SqliteLedger
from gridledger_network.devnet.ledger.transient import MemoryTransientStore
from gridledger_network.devnet.msp import LocalSigner
from gridledger_network.devnet.validator import BlockValidator

SLOT = common_pb2.BlockMetadataIndex
log = logging.getLogger(__name__)


def sign_block(block: Any, signer: LocalSigner, last_config: int = 0) -> None:
    """SIGNATURES and LAST_CONFIG metadata as Fabric's orderer BlockWriter writes them."""
    value = common_pb2.OrdererBlockMetadata(
        last_config=common_pb2.LastConfig(index=last_config),
        consenter_metadata=common_pb2.Metadata().SerializeToString(),
    ).SerializeToString()
    signature_header = signer.new_signature_header()
    signature = signer.sign(value + signature_header + block_header_bytes(block.header))
    block.metadata.metadata[SLOT.SIGNATURES] = common_pb2.Metadata(
        value=value,
        signatures=[
            common_pb2.MetadataSignature(signature_header=signature_header, signature=signature)
        ],
    ).SerializeToString()
    block.metadata.metadata[SLOT.LAST_CONFIG] = common_pb2.Metadata(
        value=common_pb2.LastConfig(index=last_config).SerializeToString()
    ).SerializeToString()


class BlockWriter:
    """Synchronous: cut -> block -> validate -> commit. Used from the orderer's commit thread."""

    def __init__(
        self,
        ledger: SqliteLedger,
        validator: BlockValidator,
        signer: LocalSigner,
        transient_store: MemoryTransientStore | None = None,
    ) -> None:
        self._ledger = ledger
        self._validator = validator
        self._signer = signer
        self._transient = transient_store

    def write(self, envelopes: Sequence[bytes]) -> Any:
        """Create, validate and commit the next block; returns it (TRANSACTIONS_FILTER filled)."""
        block = new_block(self._ledger.height, self._ledger.last_block_hash, envelopes)
        sign_block(block, self._signer)
        commit = self._validator.validate(block)
        self._ledger.commit(commit)
        if self._transient is not None:
            self._transient.purge([t.tx_id for t in commit.txs if t.tx_id])
        log.debug("committed block %d with %d transactions", block.header.number, len(envelopes))
        return block
