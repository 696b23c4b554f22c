"""Validate every transaction of a block as a Fabric peer does, producing the ledger's BlockCommit.

Phase 1, per transaction in order (Fabric's txvalidator): structure, creator signature, tx id,
channel, duplicate tx id in the ledger, chaincode definitions, endorsement policies. Then later
duplicates of a valid tx id in the same block get DUPLICATE_TXID. Phase 2 (Fabric's kvledger
validator), per still-valid transaction in order: MVCC and phantom reads against committed state
plus earlier valid writes of the block, then the writes are applied. Private data of valid
transactions comes from the transient store.
"""

from __future__ import annotations

import logging
from typing import Any

from fabric_protos.common import common_pb2
from fabric_protos.peer import transaction_pb2

from gridledger_network.devnet.channel.channel_config import DevnetChannelConfig
from gridledger_network.devnet.interfaces import Ledger, Version
from gridledger_network.devnet.ledger.transient import MemoryTransientStore
from gridledger_network.devnet.ledger.updates import BlockCommit, TxRecord
from gridledger_network.devnet.policy import verified_signers
from gridledger_network.devnet.validator.batch import UpdateBatch
from gridledger_network.devnet.validator.endorsement import (
    PolicyFailure,
    WrittenKey,
    metadata_written_keys,
    validate_namespace,
)
from gridledger_network.devnet.validator.mvcc import validate_reads
from gridledger_network.devnet.validator.private_data import collect_private_writes
from gridledger_network.devnet.validator.transaction import (
    EndorserTx,
    Invalid,
    check_common,
    parse_endorser_tx,
    parse_envelope_bytes,
)

Code = transaction_pb2.TxValidationCode
FILTER_SLOT = common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER
log = logging.getLogger(__name__)


class BlockValidator:
    def __init__(
        self,
        channel: DevnetChannelConfig,
        ledger: Ledger,
        transient_store: MemoryTransientStore | None = None,
    ) -> None:
        self._channel = channel
        self._ledger = ledger
        self._transient = transient_store
        self._btl = {
            (cc.name, coll.name): coll.block_to_live
            for cc in channel.config.chaincodes
            for coll in cc.collections
        }

    def validate(self, block: Any) -> BlockCommit:
        """Set the block's TRANSACTIONS_FILTER and compute the updates of its valid transactions."""
        number = int(block.header.number)
        codes: list[int] = []
        txs: list[EndorserTx | None] = []
        tx_ids: list[str] = []
        vp_updated: set[WrittenKey] = set()
        for index, data in enumerate(block.data.data):
            tx_id = ""
            try:
                tx = self._validate_tx(index, bytes(data), vp_updated)
                tx_id = tx.tx_id
                code = int(Code.VALID)
                for ns in tx.namespaces:
                    vp_updated |= metadata_written_keys(ns)
            except Invalid as verdict:
                tx, code = None, verdict.code
                tx_id = verdict.tx_id
                log.info(
                    "block %d tx %d invalid: %s (%s)",
                    number,
                    index,
                    Code.Name(code),
                    verdict.reason,
                )
            codes.append(code)
            txs.append(tx)
            tx_ids.append(tx_id)
        seen: set[str] = set()
        for index, tx in enumerate(txs):
            if tx is None or codes[index] != Code.VALID:
                continue
            if tx.tx_id in seen:
                codes[index] = int(Code.DUPLICATE_TXID)
                txs[index] = None
            seen.add(tx.tx_id)

        batch = UpdateBatch(self._ledger)
        commit = BlockCommit(block=block)
        for index, tx in enumerate(txs):
            if tx is None:
                continue
            code = validate_reads(tx, self._ledger, batch)
            if code != Code.VALID:
                codes[index] = code
                log.info(
                    "block %d tx %d (%s) invalid: %s", number, index, tx.tx_id, Code.Name(code)
                )
                continue
            version = Version(number, index)
            batch.apply(tx, version)
            pvt_sets = self._transient.get(tx.tx_id) if self._transient else []
            writes, block_data, expiries = collect_private_writes(tx, version, pvt_sets, self._btl)
            commit.private.extend(writes)
            commit.private_block_data.extend(block_data)
            commit.expiries.extend(expiries)

        commit.public = list(batch.public.values())
        commit.hashed = list(batch.hashed.values())
        commit.history = batch.history
        commit.purges = batch.purges
        commit.txs = [TxRecord(tx_ids[i], i, codes[i]) for i in range(len(codes))]
        while len(block.metadata.metadata) <= FILTER_SLOT:
            block.metadata.metadata.append(b"")
        block.metadata.metadata[FILTER_SLOT] = bytes(codes)
        return commit

    def _validate_tx(self, index: int, data: bytes, vp_updated: set[WrittenKey]) -> EndorserTx:
        envelope = parse_envelope_bytes(data)
        payload, chdr, shdr, creator = check_common(envelope, self._channel.msp_manager)
        if chdr.type == common_pb2.CONFIG:
            raise Invalid(
                Code.INVALID_CONFIG_TRANSACTION, "config updates are not supported", chdr.tx_id
            )
        if chdr.type != common_pb2.ENDORSER_TRANSACTION:
            raise Invalid(
                Code.UNSUPPORTED_TX_PAYLOAD, f"unsupported header type {chdr.type}", chdr.tx_id
            )
        try:
            tx = parse_endorser_tx(index, payload, chdr, shdr, creator)
        except Invalid as verdict:
            verdict.tx_id = chdr.tx_id
            raise
        try:
            self._check_tx(tx, vp_updated)
        except Invalid as verdict:
            verdict.tx_id = tx.tx_id
            raise
        return tx

    def _check_tx(self, tx: EndorserTx, vp_updated: set[WrittenKey]) -> None:
        if tx.channel_id != self._channel.channel:
            raise Invalid(Code.TARGET_CHAIN_NOT_FOUND, f"channel {tx.channel_id!r} not found")
        if self._ledger.tx_status(tx.tx_id) is not None:
            raise Invalid(Code.DUPLICATE_TXID, f"tx id {tx.tx_id} already committed")
        namespaces = {tx.chaincode} | {ns.namespace for ns in tx.namespaces if ns.writes}
        signers = None
        for namespace in sorted(namespaces):
            policy = self._channel.endorsement_policy(namespace)
            if policy is None:
                raise Invalid(Code.INVALID_CHAINCODE, f"chaincode {namespace} is not defined")
            if signers is None:
                signers = verified_signers(tx.endorsements, self._channel.msp_manager)
            try:
                validate_namespace(
                    namespace,
                    tx.namespaces,
                    policy,
                    signers,
                    self._ledger,
                    vp_updated,
                    self._channel.collection_endorsement_policies(namespace),
                )
            except PolicyFailure as exc:
                raise Invalid(Code.ENDORSEMENT_POLICY_FAILURE, str(exc)) from exc
