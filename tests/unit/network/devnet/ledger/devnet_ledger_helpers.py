"""Builders for the ledger-side tests: endorser transactions exactly as Fabric's CreateSignedTx."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fabric_protos.common import common_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    chaincode_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)
from gridledger_network.devnet.interfaces import Version
from gridledger_network.devnet.msp import LocalSigner

Code = transaction_pb2.TxValidationCode


@dataclass
class Collection:
    name: str
    writes: Mapping[str, bytes | None] = field(default_factory=dict)
    hashed_reads: Mapping[str, Version | None] = field(default_factory=dict)
    purges: Sequence[str] = ()  # keys purged (PurgePrivateData): deletes marked is_purge

    def pvt_rwset(self) -> bytes:
        kv = kv_rwset_pb2.KVRWSet(
            writes=[
                kv_rwset_pb2.KVWrite(key=k, is_delete=v is None, value=v or b"")
                for k, v in self.writes.items()
            ]
        )
        return bytes(kv.SerializeToString())


@dataclass
class RWSet:
    namespace: str = "gridledger"
    reads: Mapping[str, Version | None] = field(default_factory=dict)
    writes: Mapping[str, bytes | None] = field(default_factory=dict)
    metadata_writes: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict)
    ranges: Sequence[Any] = ()  # kvrwset.RangeQueryInfo
    collections: Sequence[Collection] = ()

    def to_bytes(self) -> bytes:
        kv = kv_rwset_pb2.KVRWSet(
            reads=[_read(k, v) for k, v in self.reads.items()],
            writes=[
                kv_rwset_pb2.KVWrite(key=k, is_delete=v is None, value=v or b"")
                for k, v in self.writes.items()
            ],
            metadata_writes=[
                kv_rwset_pb2.KVMetadataWrite(
                    key=k,
                    entries=[kv_rwset_pb2.KVMetadataEntry(name=n, value=b) for n, b in m.items()],
                )
                for k, m in self.metadata_writes.items()
            ],
            range_queries_info=list(self.ranges),
        )
        ns = rwset_pb2.NsReadWriteSet(namespace=self.namespace, rwset=kv.SerializeToString())
        for coll in self.collections:
            hashed = kv_rwset_pb2.HashedRWSet(
                hashed_reads=[
                    kv_rwset_pb2.KVReadHash(
                        key_hash=sha(k.encode()),
                        version=_version(v),
                    )
                    if v
                    else kv_rwset_pb2.KVReadHash(key_hash=sha(k.encode()))
                    for k, v in coll.hashed_reads.items()
                ],
                hashed_writes=[
                    kv_rwset_pb2.KVWriteHash(
                        key_hash=sha(k.encode()),
                        is_delete=v is None,
                        is_purge=k in coll.purges,
                        value_hash=sha(v) if v is not None else b"",
                    )
                    for k, v in coll.writes.items()
                ],
            )
            ns.collection_hashed_rwset.add(
                collection_name=coll.name,
                hashed_rwset=hashed.SerializeToString(),
                pvt_rwset_hash=sha(coll.pvt_rwset()),
            )
        return bytes(
            rwset_pb2.TxReadWriteSet(
                data_model=rwset_pb2.TxReadWriteSet.KV, ns_rwset=[ns]
            ).SerializeToString()
        )

    def private_rwset(self) -> Any:
        """The ``rwset.TxPvtReadWriteSet`` an endorser puts in the transient store."""
        pvt = rwset_pb2.TxPvtReadWriteSet(data_model=rwset_pb2.TxReadWriteSet.KV)
        if self.collections:
            ns = pvt.ns_pvt_rwset.add(namespace=self.namespace)
            for coll in self.collections:
                ns.collection_pvt_rwset.add(collection_name=coll.name, rwset=coll.pvt_rwset())
        return pvt


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _version(v: Version) -> Any:
    return kv_rwset_pb2.Version(block_num=v.block, tx_num=v.tx)


def _read(key: str, version: Version | None) -> Any:
    if version is None:
        return kv_rwset_pb2.KVRead(key=key)
    return kv_rwset_pb2.KVRead(key=key, version=_version(version))


def range_info(
    start: str, end: str, reads: Sequence[tuple[str, Version]], exhausted: bool = True
) -> Any:
    return kv_rwset_pb2.RangeQueryInfo(
        start_key=start,
        end_key=end,
        itr_exhausted=exhausted,
        raw_reads=kv_rwset_pb2.QueryReads(kv_reads=[_read(k, v) for k, v in reads]),
    )


@dataclass
class Tx:
    tx_id: str
    envelope: bytes


def endorser_tx(
    creator: LocalSigner,
    endorsers: Sequence[LocalSigner],
    rwset: RWSet,
    *,
    channel: str = "energy",
    chaincode: str = "gridledger",
    nonce: bytes | None = None,
    tx_id: str | None = None,
    sign_envelope: LocalSigner | None = None,
    corrupt_endorsement: bool = False,
) -> Tx:
    """An envelope as Fabric's protoutil.CreateSignedTx assembles it from the endorsements."""
    nonce = nonce if nonce is not None else os.urandom(24)
    creator_bytes = creator.serialized_identity
    tx_id = tx_id or hashlib.sha256(nonce + creator_bytes).hexdigest()
    now = time.time_ns()
    chdr = common_pb2.ChannelHeader(
        type=common_pb2.ENDORSER_TRANSACTION,
        channel_id=channel,
        tx_id=tx_id,
        extension=proposal_pb2.ChaincodeHeaderExtension(
            chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode)
        ).SerializeToString(),
    )
    chdr.timestamp.seconds, chdr.timestamp.nanos = now // 10**9, now % 10**9
    chdr_bytes = chdr.SerializeToString()
    shdr_bytes = common_pb2.SignatureHeader(creator=creator_bytes, nonce=nonce).SerializeToString()
    spec = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode),
            input=chaincode_pb2.ChaincodeInput(args=[b"fn"]),
        )
    )
    ccpp = proposal_pb2.ChaincodeProposalPayload(input=spec.SerializeToString()).SerializeToString()
    action = proposal_pb2.ChaincodeAction(
        results=rwset.to_bytes(),
        events=chaincode_event_pb2.ChaincodeEvent(
            chaincode_id=chaincode, tx_id=tx_id, event_name="Wrote"
        ).SerializeToString(),
        response=proposal_response_pb2.Response(status=200),
        chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode, version="1.0"),
    )
    prp = proposal_response_pb2.ProposalResponsePayload(
        proposal_hash=sha(chdr_bytes + shdr_bytes + ccpp), extension=action.SerializeToString()
    ).SerializeToString()
    endorsements = []
    for e in endorsers:
        endorser = e.serialized_identity
        signature = e.sign(prp + endorser)
        if corrupt_endorsement:
            signature = e.sign(prp + endorser + b"tampered")
        endorsements.append(
            proposal_response_pb2.Endorsement(endorser=endorser, signature=signature)
        )
    tx = transaction_pb2.Transaction(
        actions=[
            transaction_pb2.TransactionAction(
                header=shdr_bytes,
                payload=transaction_pb2.ChaincodeActionPayload(
                    chaincode_proposal_payload=ccpp,
                    action=transaction_pb2.ChaincodeEndorsedAction(
                        proposal_response_payload=prp, endorsements=endorsements
                    ),
                ).SerializeToString(),
            )
        ]
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(channel_header=chdr_bytes, signature_header=shdr_bytes),
        data=tx.SerializeToString(),
    ).SerializeToString()
    signer = sign_envelope or creator
    envelope = common_pb2.Envelope(payload=payload, signature=signer.sign(payload))
    return Tx(tx_id, bytes(envelope.SerializeToString()))


def codes(block: Any) -> list[int]:
    return list(block.metadata.metadata[common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER])


def user_signer(channel: Any, msp_id: str = "GridOperatorMSP", name: str = "User1") -> LocalSigner:
    """A client identity of the devnet (``channel`` is a DevnetChannel)."""
    return LocalSigner.from_msp_dir(channel.layout.user_msp_dir(msp_id, name), msp_id)
