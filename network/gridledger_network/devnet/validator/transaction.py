"""Parse one block entry into an endorser transaction, with Fabric's codes for malformed ones.

Order of checks follows Fabric 3.1 (core/common/validation/msgvalidation.go ValidateTransaction,
then the v20 plugin dispatcher): envelope, payload, common header, creator signature, tx id,
endorser transaction structure and proposal hash, header extension, chaincode action, rwset,
chaincode id, events, duplicate namespaces.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from fabric_protos.common import common_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)

from gridledger_network.devnet.msp import Identity, MSPManager, UnknownIdentity
from gridledger_network.devnet.policy import SignedData

Code = transaction_pb2.TxValidationCode


class Invalid(Exception):
    def __init__(self, code: int, reason: str, tx_id: str = "") -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.tx_id = tx_id  # set once known, so invalid transactions are indexed too
        self.tx: Any = None  # the parsed EndorserTx when it was parsed (its private data is kept)


@dataclass
class CollectionRWSet:
    name: str
    hashed: Any  # kvrwset.HashedRWSet
    pvt_rwset_hash: bytes


@dataclass
class NamespaceRWSet:
    namespace: str
    kv: Any  # kvrwset.KVRWSet
    collections: list[CollectionRWSet] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return bool(
            len(self.kv.writes)
            or len(self.kv.metadata_writes)
            or any(
                len(c.hashed.hashed_writes) or len(c.hashed.metadata_writes)
                for c in self.collections
            )
        )


@dataclass
class EndorserTx:
    index: int
    tx_id: str
    channel_id: str
    timestamp_seconds: int
    timestamp_nanos: int
    creator: Identity
    chaincode: str
    namespaces: list[NamespaceRWSet]
    endorsements: list[SignedData]


def _parse(message: Any, data: bytes, code: int, what: str) -> Any:
    try:
        message.ParseFromString(data)
    except Exception as exc:  # protobuf DecodeError (google.protobuf is untyped here)
        raise Invalid(code, f"cannot unmarshal {what}: {exc}") from exc
    return message


def parse_envelope_bytes(data: bytes) -> Any:
    if not data:
        raise Invalid(Code.NIL_ENVELOPE, "nil envelope")
    return _parse(common_pb2.Envelope(), data, Code.INVALID_OTHER_REASON, "envelope")


def check_common(envelope: Any, msps: MSPManager) -> tuple[Any, Any, Any, Identity]:
    """Payload, channel header, signature header and creator (signature verified)."""
    payload = _parse(common_pb2.Payload(), envelope.payload, Code.BAD_PAYLOAD, "payload")
    if not payload.HasField("header"):
        raise Invalid(Code.BAD_COMMON_HEADER, "nil header")
    chdr = _parse(
        common_pb2.ChannelHeader(),
        payload.header.channel_header,
        Code.BAD_COMMON_HEADER,
        "channel header",
    )
    try:
        shdr = _parse(
            common_pb2.SignatureHeader(),
            payload.header.signature_header,
            Code.BAD_COMMON_HEADER,
            "signature header",
        )
        creator = _check_headers_and_creator(envelope, chdr, shdr, msps)
    except Invalid as verdict:
        verdict.tx_id = chdr.tx_id  # Fabric indexes every transaction by its header's tx id
        raise
    return payload, chdr, shdr, creator


def _check_headers_and_creator(envelope: Any, chdr: Any, shdr: Any, msps: MSPManager) -> Identity:
    if chdr.type not in (
        common_pb2.ENDORSER_TRANSACTION,
        common_pb2.CONFIG_UPDATE,
        common_pb2.CONFIG,
    ):
        raise Invalid(Code.BAD_COMMON_HEADER, f"invalid header type {chdr.type}")
    if chdr.epoch != 0:
        raise Invalid(Code.BAD_COMMON_HEADER, f"invalid Epoch in ChannelHeader: {chdr.epoch}")
    if not shdr.nonce:
        raise Invalid(Code.BAD_COMMON_HEADER, "invalid nonce specified in the header")
    if not shdr.creator:
        raise Invalid(Code.BAD_COMMON_HEADER, "invalid creator specified in the header")
    if not envelope.signature:
        raise Invalid(Code.BAD_CREATOR_SIGNATURE, "nil signature")
    try:
        creator = msps.deserialize_identity(bytes(shdr.creator))
    except UnknownIdentity as exc:
        raise Invalid(Code.BAD_CREATOR_SIGNATURE, f"MSP error: {exc}") from exc
    if not creator.verify(bytes(envelope.payload), bytes(envelope.signature)):
        raise Invalid(
            Code.BAD_CREATOR_SIGNATURE, "creator's signature over the payload is not valid"
        )
    return creator


def compute_tx_id(nonce: bytes, creator: bytes) -> str:
    return hashlib.sha256(nonce + creator).hexdigest()


def proposal_hash(
    channel_header: bytes, signature_header: bytes, cc_proposal_payload: bytes
) -> bytes:
    """Fabric's GetProposalHash2: SHA-256 over the header bytes and the (transient-free) payload."""
    return hashlib.sha256(channel_header + signature_header + cc_proposal_payload).digest()


def parse_endorser_tx(
    index: int, payload: Any, chdr: Any, shdr: Any, creator: Identity
) -> EndorserTx:
    if chdr.tx_id != compute_tx_id(bytes(shdr.nonce), bytes(shdr.creator)):
        raise Invalid(Code.BAD_PROPOSAL_TXID, f"tx id {chdr.tx_id} is not SHA-256(nonce ‖ creator)")
    bad = Code.INVALID_ENDORSER_TRANSACTION
    tx = _parse(transaction_pb2.Transaction(), payload.data, bad, "transaction")
    if len(tx.actions) != 1:
        raise Invalid(
            bad, f"only one action per transaction is supported, tx contains {len(tx.actions)}"
        )
    action = tx.actions[0]
    act_shdr = _parse(common_pb2.SignatureHeader(), action.header, bad, "action signature header")
    if not act_shdr.nonce or not act_shdr.creator:
        raise Invalid(bad, "action signature header lacks nonce or creator")
    cap = _parse(
        transaction_pb2.ChaincodeActionPayload(), action.payload, bad, "chaincode action payload"
    )
    prp_bytes = bytes(cap.action.proposal_response_payload)
    prp = _parse(
        proposal_response_pb2.ProposalResponsePayload(), prp_bytes, bad, "proposal response payload"
    )
    expected = proposal_hash(
        bytes(payload.header.channel_header),
        bytes(action.header),
        bytes(cap.chaincode_proposal_payload),
    )
    if bytes(prp.proposal_hash) != expected:
        raise Invalid(bad, "proposal hash does not match")

    ext = _parse(
        proposal_pb2.ChaincodeHeaderExtension(),
        chdr.extension,
        Code.BAD_HEADER_EXTENSION,
        "chaincode header extension",
    )
    cc_action = _parse(
        proposal_pb2.ChaincodeAction(), prp.extension, Code.BAD_RESPONSE_PAYLOAD, "chaincode action"
    )
    rwset = _parse(rwset_pb2.TxReadWriteSet(), cc_action.results, Code.BAD_RWSET, "rwset")
    namespaces = _parse_namespaces(rwset)
    if not ext.HasField("chaincode_id"):
        raise Invalid(Code.INVALID_OTHER_REASON, "nil ChaincodeId in header extension")
    if not cc_action.HasField("chaincode_id"):
        raise Invalid(Code.INVALID_OTHER_REASON, "nil ChaincodeId in ChaincodeAction")
    name = ext.chaincode_id.name
    if not name:
        raise Invalid(Code.INVALID_CHAINCODE, "invalid chaincode ID")
    if name != cc_action.chaincode_id.name:
        raise Invalid(
            Code.INVALID_CHAINCODE, f"inconsistent ccid info ({name}/{cc_action.chaincode_id.name})"
        )
    if not cc_action.chaincode_id.version:
        raise Invalid(Code.INVALID_CHAINCODE, "invalid chaincode version")
    if cc_action.events:
        event = _parse(
            chaincode_event_pb2.ChaincodeEvent(),
            cc_action.events,
            Code.INVALID_OTHER_REASON,
            "chaincode event",
        )
        if event.chaincode_id != name:
            raise Invalid(
                Code.INVALID_OTHER_REASON,
                "chaincode event chaincode id does not match chaincode action chaincode id",
            )
    seen: set[str] = set()
    for ns in namespaces:
        if ns.namespace in seen:
            raise Invalid(Code.ILLEGAL_WRITESET, f"duplicate namespace '{ns.namespace}' in txRWSet")
        seen.add(ns.namespace)
    endorsements = [
        SignedData(bytes(e.endorser), prp_bytes + bytes(e.endorser), bytes(e.signature))
        for e in cap.action.endorsements
    ]
    return EndorserTx(
        index=index,
        tx_id=chdr.tx_id,
        channel_id=chdr.channel_id,
        timestamp_seconds=chdr.timestamp.seconds,
        timestamp_nanos=chdr.timestamp.nanos,
        creator=creator,
        chaincode=name,
        namespaces=namespaces,
        endorsements=endorsements,
    )


def _parse_namespaces(rwset: Any) -> list[NamespaceRWSet]:
    result = []
    for ns in rwset.ns_rwset:
        kv = _parse(kv_rwset_pb2.KVRWSet(), ns.rwset, Code.BAD_RWSET, f"kvrwset of {ns.namespace}")
        colls = [
            CollectionRWSet(
                c.collection_name,
                _parse(
                    kv_rwset_pb2.HashedRWSet(),
                    c.hashed_rwset,
                    Code.BAD_RWSET,
                    f"hashed rwset of {ns.namespace}/{c.collection_name}",
                ),
                bytes(c.pvt_rwset_hash),
            )
            for c in ns.collection_hashed_rwset
        ]
        result.append(NamespaceRWSet(ns.namespace, kv, colls))
    return result
