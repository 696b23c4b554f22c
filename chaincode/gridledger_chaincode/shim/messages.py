"""The protobuf edge of the shim: typed builders and parsers for chaincode_shim.proto payloads.

Everything else in the shim works with plain Python values; `fabric_protos` is untyped, so its
objects stay inside this module (and the handler, which moves whole ChaincodeMessages).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fabric_protos.common import common_pb2
from fabric_protos.ledger.queryresult import kv_query_result_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    chaincode_pb2,
    chaincode_shim_pb2,
    proposal_pb2,
    proposal_response_pb2,
)

from gridledger_chaincode.shim.iterators import QueryPage
from gridledger_chaincode.shim.types import (
    KV,
    STATUS_ERROR,
    ChaincodeEventData,
    ChaincodeResponse,
    KeyModification,
    QueryPageMetadata,
)

Message = chaincode_shim_pb2.ChaincodeMessage
MessageType = chaincode_shim_pb2.ChaincodeMessage.Type

REGISTER: int = Message.REGISTER
REGISTERED: int = Message.REGISTERED
INIT: int = Message.INIT
READY: int = Message.READY
TRANSACTION: int = Message.TRANSACTION
COMPLETED: int = Message.COMPLETED
ERROR: int = Message.ERROR
GET_STATE: int = Message.GET_STATE
PUT_STATE: int = Message.PUT_STATE
DEL_STATE: int = Message.DEL_STATE
INVOKE_CHAINCODE: int = Message.INVOKE_CHAINCODE
RESPONSE: int = Message.RESPONSE
GET_STATE_BY_RANGE: int = Message.GET_STATE_BY_RANGE
GET_QUERY_RESULT: int = Message.GET_QUERY_RESULT
QUERY_STATE_NEXT: int = Message.QUERY_STATE_NEXT
QUERY_STATE_CLOSE: int = Message.QUERY_STATE_CLOSE
KEEPALIVE: int = Message.KEEPALIVE
GET_HISTORY_FOR_KEY: int = Message.GET_HISTORY_FOR_KEY
GET_STATE_METADATA: int = Message.GET_STATE_METADATA
PUT_STATE_METADATA: int = Message.PUT_STATE_METADATA
GET_PRIVATE_DATA_HASH: int = Message.GET_PRIVATE_DATA_HASH
PURGE_PRIVATE_DATA: int = Message.PURGE_PRIVATE_DATA
WRITE_BATCH_STATE: int = Message.WRITE_BATCH_STATE
GET_STATE_MULTIPLE: int = Message.GET_STATE_MULTIPLE

# Fabric-chaincode-go never uses batches smaller than these, whatever the peer offers.
MIN_WRITE_BATCH_SIZE = 100
MIN_GET_MULTIPLE_SIZE = 100


def type_name(message_type: int) -> str:
    name: str = MessageType.Name(message_type)
    return name


# -- whole messages ----------------------------------------------------------------------------


def new_message(message_type: int, tx_id: str, channel_id: str, payload: bytes = b"") -> Any:
    return Message(type=message_type, txid=tx_id, channel_id=channel_id, payload=payload)


def register_message(chaincode_id: str) -> Any:
    payload = chaincode_pb2.ChaincodeID(name=chaincode_id).SerializeToString()
    return Message(type=REGISTER, payload=payload)


def completed_message(
    tx_id: str,
    channel_id: str,
    response: ChaincodeResponse,
    event: ChaincodeEventData | None,
) -> Any:
    payload = proposal_response_pb2.Response(
        status=response.status, message=response.message, payload=response.payload
    ).SerializeToString()
    message = Message(type=COMPLETED, txid=tx_id, channel_id=channel_id, payload=payload)
    if event is not None:
        message.chaincode_event.CopyFrom(
            chaincode_event_pb2.ChaincodeEvent(event_name=event.name, payload=event.payload)
        )
    return message


# -- READY -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeerCapabilities:
    """What the peer offered in READY (Fabric's ChaincodeAdditionalParams)."""

    use_write_batch: bool = False
    max_size_write_batch: int = 0
    use_get_multiple_keys: bool = False
    max_size_get_multiple_keys: int = 0


def decode_peer_capabilities(payload: bytes) -> PeerCapabilities:
    """Read READY's payload; an empty or unreadable payload means no extra capabilities."""
    if not payload:
        return PeerCapabilities()
    try:
        params = chaincode_pb2.ChaincodeAdditionalParams.FromString(payload)
    except Exception:
        return PeerCapabilities()
    write_size = int(params.max_size_write_batch)
    multiple_size = int(params.max_size_get_multiple_keys)
    use_write = bool(params.use_write_batch)
    use_multiple = bool(params.use_get_multiple_keys)
    return PeerCapabilities(
        use_write_batch=use_write,
        max_size_write_batch=max(write_size, MIN_WRITE_BATCH_SIZE) if use_write else write_size,
        use_get_multiple_keys=use_multiple,
        max_size_get_multiple_keys=(
            max(multiple_size, MIN_GET_MULTIPLE_SIZE) if use_multiple else multiple_size
        ),
    )


def encode_peer_capabilities(capabilities: PeerCapabilities) -> bytes:
    """READY's payload as a peer sends it (used by test peers)."""
    data: bytes = chaincode_pb2.ChaincodeAdditionalParams(
        use_write_batch=capabilities.use_write_batch,
        max_size_write_batch=capabilities.max_size_write_batch,
        use_get_multiple_keys=capabilities.use_get_multiple_keys,
        max_size_get_multiple_keys=capabilities.max_size_get_multiple_keys,
    ).SerializeToString()
    return data


# -- INIT / TRANSACTION ------------------------------------------------------------------------


def decode_chaincode_args(payload: bytes) -> list[bytes]:
    """The function name and arguments of a ChaincodeInput payload."""
    return list(chaincode_pb2.ChaincodeInput.FromString(payload).args)


@dataclass(frozen=True, slots=True)
class ProposalInfo:
    """The parts of a SignedProposal a transaction function may ask for."""

    creator_msp_id: str
    creator_id_bytes: bytes
    timestamp: datetime
    transient: dict[str, bytes] = field(default_factory=dict)
    binding: bytes = b""


def decode_proposal(signed_proposal: Any) -> ProposalInfo:
    """Unpack proposal → header → channel and signature headers → creator, and the transient map."""
    proposal = proposal_pb2.Proposal.FromString(signed_proposal.proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    channel_header = common_pb2.ChannelHeader.FromString(header.channel_header)
    signature_header = common_pb2.SignatureHeader.FromString(header.signature_header)
    creator = identities_pb2.SerializedIdentity.FromString(signature_header.creator)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    transient = {str(k): bytes(v) for k, v in payload.TransientMap.items()}
    stamp = channel_header.timestamp
    timestamp = datetime.fromtimestamp(int(stamp.seconds), tz=UTC).replace(
        microsecond=int(stamp.nanos) // 1000
    )
    epoch = int(channel_header.epoch).to_bytes(8, "little")
    binding = hashlib.sha256(
        bytes(signature_header.nonce) + bytes(signature_header.creator) + epoch
    ).digest()
    return ProposalInfo(
        creator_msp_id=str(creator.mspid),
        creator_id_bytes=bytes(creator.id_bytes),
        timestamp=timestamp,
        transient=transient,
        binding=binding,
    )


# -- stub requests -----------------------------------------------------------------------------


def get_state_payload(collection: str, key: str) -> bytes:
    data: bytes = chaincode_shim_pb2.GetState(key=key, collection=collection).SerializeToString()
    return data


def get_state_multiple_payload(collection: str, keys: Sequence[str]) -> bytes:
    data: bytes = chaincode_shim_pb2.GetStateMultiple(
        keys=keys, collection=collection
    ).SerializeToString()
    return data


def decode_state_multiple(payload: bytes) -> list[bytes]:
    return [bytes(v) for v in chaincode_shim_pb2.GetStateMultipleResult.FromString(payload).values]


def put_state_payload(collection: str, key: str, value: bytes) -> bytes:
    data: bytes = chaincode_shim_pb2.PutState(
        key=key, value=value, collection=collection
    ).SerializeToString()
    return data


def del_state_payload(collection: str, key: str) -> bytes:
    """Payload of DEL_STATE and of PURGE_PRIVATE_DATA (the peer reads both as DelState)."""
    data: bytes = chaincode_shim_pb2.DelState(key=key, collection=collection).SerializeToString()
    return data


def get_state_metadata_payload(collection: str, key: str) -> bytes:
    data: bytes = chaincode_shim_pb2.GetStateMetadata(
        key=key, collection=collection
    ).SerializeToString()
    return data


def decode_state_metadata(payload: bytes) -> dict[str, bytes]:
    result = chaincode_shim_pb2.StateMetadataResult.FromString(payload)
    return {str(entry.metakey): bytes(entry.value) for entry in result.entries}


def put_state_metadata_payload(collection: str, key: str, metakey: str, value: bytes) -> bytes:
    data: bytes = chaincode_shim_pb2.PutStateMetadata(
        key=key,
        collection=collection,
        metadata=chaincode_shim_pb2.StateMetadata(metakey=metakey, value=value),
    ).SerializeToString()
    return data


def _query_metadata(page_size: int | None, bookmark: str) -> bytes:
    if page_size is None:
        return b""
    data: bytes = chaincode_shim_pb2.QueryMetadata(
        pageSize=page_size, bookmark=bookmark
    ).SerializeToString()
    return data


def get_state_by_range_payload(
    collection: str, start_key: str, end_key: str, page_size: int | None, bookmark: str
) -> bytes:
    data: bytes = chaincode_shim_pb2.GetStateByRange(
        startKey=start_key,
        endKey=end_key,
        collection=collection,
        metadata=_query_metadata(page_size, bookmark),
    ).SerializeToString()
    return data


def get_query_result_payload(
    collection: str, query: str, page_size: int | None, bookmark: str
) -> bytes:
    data: bytes = chaincode_shim_pb2.GetQueryResult(
        query=query, collection=collection, metadata=_query_metadata(page_size, bookmark)
    ).SerializeToString()
    return data


def get_history_payload(key: str) -> bytes:
    data: bytes = chaincode_shim_pb2.GetHistoryForKey(key=key).SerializeToString()
    return data


def query_state_next_payload(iterator_id: str) -> bytes:
    data: bytes = chaincode_shim_pb2.QueryStateNext(id=iterator_id).SerializeToString()
    return data


def query_state_close_payload(iterator_id: str) -> bytes:
    data: bytes = chaincode_shim_pb2.QueryStateClose(id=iterator_id).SerializeToString()
    return data


def decode_query_page(payload: bytes) -> tuple[QueryPage, QueryPageMetadata | None]:
    response = chaincode_shim_pb2.QueryResponse.FromString(payload)
    page = QueryPage(
        results=[bytes(r.resultBytes) for r in response.results],
        has_more=bool(response.has_more),
        iterator_id=str(response.id),
    )
    metadata = None
    if response.metadata:
        meta = chaincode_shim_pb2.QueryResponseMetadata.FromString(response.metadata)
        metadata = QueryPageMetadata(
            fetched_records_count=int(meta.fetched_records_count), bookmark=str(meta.bookmark)
        )
    return page, metadata


def decode_kv(data: bytes) -> KV:
    kv = kv_query_result_pb2.KV.FromString(data)
    return KV(key=str(kv.key), value=bytes(kv.value), namespace=str(kv.namespace))


def decode_key_modification(data: bytes) -> KeyModification:
    mod = kv_query_result_pb2.KeyModification.FromString(data)
    timestamp = None
    if mod.HasField("timestamp"):
        timestamp = datetime.fromtimestamp(int(mod.timestamp.seconds), tz=UTC).replace(
            microsecond=int(mod.timestamp.nanos) // 1000
        )
    return KeyModification(
        tx_id=str(mod.tx_id), value=bytes(mod.value), timestamp=timestamp, is_delete=mod.is_delete
    )


def invoke_chaincode_payload(chaincode_name: str, args: Sequence[bytes]) -> bytes:
    data: bytes = chaincode_pb2.ChaincodeSpec(
        chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode_name),
        input=chaincode_pb2.ChaincodeInput(args=args),
    ).SerializeToString()
    return data


def decode_invoke_response(payload: bytes) -> ChaincodeResponse:
    """INVOKE_CHAINCODE's RESPONSE carries the called chaincode's own COMPLETED message."""
    inner = Message.FromString(payload)
    if inner.type != COMPLETED:
        return ChaincodeResponse(STATUS_ERROR, bytes(inner.payload).decode("utf-8", "replace"))
    response = proposal_response_pb2.Response.FromString(inner.payload)
    return ChaincodeResponse(
        status=int(response.status), message=str(response.message), payload=bytes(response.payload)
    )


# -- write batches -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WriteRecord:
    """One write kept back for a WRITE_BATCH_STATE message."""

    kind: int  # PUT_STATE, DEL_STATE, PURGE_PRIVATE_DATA or PUT_STATE_METADATA
    collection: str
    key: str
    value: bytes = b""
    metakey: str = ""


def write_batch_payloads(records: Iterable[WriteRecord], max_size: int) -> list[bytes]:
    """Split records into WriteBatchState payloads of at most `max_size` records each."""
    payloads: list[bytes] = []
    batch = chaincode_shim_pb2.WriteBatchState()
    for record in records:
        rec = batch.rec.add()
        rec.type = record.kind
        rec.key = record.key
        rec.collection = record.collection
        if record.kind == PUT_STATE_METADATA:
            rec.metadata.metakey = record.metakey
            rec.metadata.value = record.value
        elif record.kind == PUT_STATE:
            rec.value = record.value
        if len(batch.rec) >= max_size:
            payloads.append(batch.SerializeToString())
            batch = chaincode_shim_pb2.WriteBatchState()
    if len(batch.rec):
        payloads.append(batch.SerializeToString())
    return payloads
