"""A fake Fabric peer for shim tests: dials the chaincode server over real gRPC and speaks
`protos.Chaincode/Connect`, with a small in-memory ledger that answers the chaincode's requests.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.ledger.queryresult import kv_query_result_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import (
    chaincode_pb2,
    chaincode_shim_pb2,
    proposal_pb2,
    proposal_response_pb2,
)
from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.shim.messages import PeerCapabilities, encode_peer_capabilities

Msg = chaincode_shim_pb2.ChaincodeMessage
CHAINCODE_ID = "gridledger_1.0:0123abcd"
CHANNEL = "energy"
RECV_TIMEOUT = 20.0  # only a guard against a broken shim hanging the suite


def message(kind: int, tx_id: str = "", payload: bytes = b"", channel: str = CHANNEL) -> Any:
    return Msg(type=kind, txid=tx_id, channel_id=channel, payload=payload)


def type_name(kind: int) -> str:
    return str(Msg.Type.Name(kind))


def signed_proposal(
    identity: ClientIdentity,
    tx_id: str,
    *,
    transient: Mapping[str, bytes] | None = None,
    timestamp: datetime | None = None,
    channel: str = CHANNEL,
) -> Any:
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.ENDORSER_TRANSACTION, channel_id=channel, tx_id=tx_id
    )
    channel_header.timestamp.FromDatetime(timestamp or datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
    creator = identities_pb2.SerializedIdentity(mspid=identity.msp_id, id_bytes=identity.id_bytes)
    signature_header = common_pb2.SignatureHeader(
        creator=creator.SerializeToString(), nonce=b"n" * 24
    )
    header = common_pb2.Header(
        channel_header=channel_header.SerializeToString(),
        signature_header=signature_header.SerializeToString(),
    )
    payload = proposal_pb2.ChaincodeProposalPayload(input=b"", TransientMap=dict(transient or {}))
    proposal = proposal_pb2.Proposal(
        header=header.SerializeToString(), payload=payload.SerializeToString()
    )
    return proposal_pb2.SignedProposal(
        proposal_bytes=proposal.SerializeToString(), signature=b"not-checked-by-the-shim"
    )


def transaction(
    tx_id: str, function: str, *args: str | bytes, proposal: Any = None, init: bool = False
) -> Any:
    raw = [a.encode() if isinstance(a, str) else a for a in (function, *args)]
    kind = Msg.INIT if init else Msg.TRANSACTION
    msg = message(kind, tx_id, chaincode_pb2.ChaincodeInput(args=raw).SerializeToString())
    if proposal is not None:
        msg.proposal.CopyFrom(proposal)
    return msg


def response_of(completed: Any) -> Any:
    """The peer.Response inside a COMPLETED message."""
    assert completed.type == Msg.COMPLETED, type_name(completed.type)
    return proposal_response_pb2.Response.FromString(completed.payload)


class FakePeer:
    """The peer's side of one chaincode stream."""

    def __init__(
        self,
        target: str,
        credentials: grpc.ChannelCredentials | None = None,
        *,
        wait_for_ready: bool = False,
    ) -> None:
        if credentials is None:
            self.channel = grpc.insecure_channel(target)
        else:
            self.channel = grpc.secure_channel(target, credentials)
        self._outbound: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.inbox: queue.Queue[Any] = queue.Queue()
        connect = self.channel.stream_stream(
            "/protos.Chaincode/Connect",
            request_serializer=Msg.SerializeToString,
            response_deserializer=Msg.FromString,
        )
        self.call = connect(
            iter(self._outbound.get, None),
            wait_for_ready=wait_for_ready,
            timeout=RECV_TIMEOUT * 3 if wait_for_ready else None,
        )
        self.error: grpc.RpcError | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            for msg in self.call:
                self.inbox.put(msg)
        except grpc.RpcError as exc:
            self.error = exc
        finally:
            self.inbox.put(None)

    def send(self, msg: Any) -> None:
        self._outbound.put(msg)

    def recv(self) -> Any:
        try:
            msg = self.inbox.get(timeout=RECV_TIMEOUT)
        except queue.Empty:
            raise AssertionError("the chaincode sent nothing") from None
        if msg is None:
            raise AssertionError(f"the chaincode ended the stream ({self.error})")
        return msg

    def stream_ended(self) -> bool:
        """Wait for the end of the stream; True if it ended without another message."""
        try:
            return self.inbox.get(timeout=RECV_TIMEOUT) is None
        except queue.Empty:
            raise AssertionError("the stream did not end") from None

    def handshake(self, capabilities: PeerCapabilities | None = None) -> str:
        """Answer REGISTER with REGISTERED and READY; return the chaincode id it registered."""
        register = self.recv()
        assert register.type == Msg.REGISTER, type_name(register.type)
        self.send(message(Msg.REGISTERED))
        payload = encode_peer_capabilities(capabilities) if capabilities else b""
        self.send(message(Msg.READY, payload=payload))
        return str(chaincode_pb2.ChaincodeID.FromString(register.payload).name)

    def half_close(self) -> None:
        """End the peer's side of the stream and keep reading the chaincode's."""
        self._outbound.put(None)

    def close(self) -> None:
        self._outbound.put(None)
        self.channel.close()


@dataclass
class FakeLedger:
    """Answers the chaincode's ledger requests like a peer's chaincode support would."""

    state: dict[str, bytes] = field(default_factory=dict)
    private: dict[str, dict[str, bytes]] = field(default_factory=dict)
    history: dict[str, list[tuple[str, bytes, bool]]] = field(default_factory=dict)
    metadata: dict[tuple[str, str], dict[str, bytes]] = field(default_factory=dict)
    batch_size: int = 3  # results per QueryResponse when not paginated
    errors: dict[str, str] = field(default_factory=dict)  # key -> ERROR text for GET_STATE
    requests: list[Any] = field(default_factory=list)
    writes: list[tuple[str, str, str, bytes]] = field(default_factory=list)  # op, coll, key, val
    _iterators: dict[str, Iterator[bytes]] = field(default_factory=dict)
    _next_id: int = 0

    def run(self, peer: FakePeer, request: Any) -> Any:
        """Send one INIT/TRANSACTION and serve its requests until COMPLETED or ERROR."""
        peer.send(request)
        while True:
            msg = peer.recv()
            if msg.txid == request.txid and msg.type in (Msg.COMPLETED, Msg.ERROR):
                return msg
            peer.send(self.answer(msg))

    def answer(self, msg: Any) -> Any:
        self.requests.append(msg)
        try:
            payload = self._handle(msg)
        except KeyError as exc:
            return message(Msg.ERROR, msg.txid, str(exc.args[0]).encode(), msg.channel_id)
        return message(Msg.RESPONSE, msg.txid, payload, msg.channel_id)

    def requests_of(self, kind: int) -> list[Any]:
        return [m for m in self.requests if m.type == kind]

    # -- request handlers ---------------------------------------------------------------------
    def _space(self, collection: str) -> dict[str, bytes]:
        return self.state if not collection else self.private.setdefault(collection, {})

    def _handle(self, msg: Any) -> bytes:
        kind = msg.type
        shim = chaincode_shim_pb2
        if kind == Msg.GET_STATE:
            req = shim.GetState.FromString(msg.payload)
            if req.key in self.errors:
                raise KeyError(self.errors[req.key])
            return self._space(req.collection).get(req.key, b"")
        if kind == Msg.GET_STATE_MULTIPLE:
            req = shim.GetStateMultiple.FromString(msg.payload)
            space = self._space(req.collection)
            values = [space.get(k, b"") for k in req.keys]
            return bytes(shim.GetStateMultipleResult(values=values).SerializeToString())
        if kind == Msg.PUT_STATE:
            req = shim.PutState.FromString(msg.payload)
            self.writes.append(("put", req.collection, req.key, req.value))
            return b""
        if kind == Msg.DEL_STATE:
            req = shim.DelState.FromString(msg.payload)
            self.writes.append(("del", req.collection, req.key, b""))
            return b""
        if kind == Msg.PURGE_PRIVATE_DATA:
            req = shim.DelState.FromString(msg.payload)
            self.writes.append(("purge", req.collection, req.key, b""))
            return b""
        if kind == Msg.WRITE_BATCH_STATE:
            batch = shim.WriteBatchState.FromString(msg.payload)
            names = {9: "put", 10: "del", 21: "meta", 23: "purge"}
            for rec in batch.rec:
                value = rec.metadata.value if rec.type == 21 else rec.value
                self.writes.append((names[rec.type], rec.collection, rec.key, value))
            return b""
        if kind == Msg.GET_PRIVATE_DATA_HASH:
            req = shim.GetState.FromString(msg.payload)
            value = self._space(req.collection).get(req.key)
            return hashlib.sha256(value).digest() if value else b""
        if kind == Msg.GET_STATE_METADATA:
            req = shim.GetStateMetadata.FromString(msg.payload)
            entries = self.metadata.get((req.collection, req.key), {})
            result = shim.StateMetadataResult(
                entries=[shim.StateMetadata(metakey=k, value=v) for k, v in entries.items()]
            )
            return bytes(result.SerializeToString())
        if kind == Msg.PUT_STATE_METADATA:
            req = shim.PutStateMetadata.FromString(msg.payload)
            self.writes.append(("meta", req.collection, req.key, req.metadata.value))
            return b""
        if kind == Msg.GET_STATE_BY_RANGE:
            return self._range(shim.GetStateByRange.FromString(msg.payload))
        if kind == Msg.GET_HISTORY_FOR_KEY:
            req = shim.GetHistoryForKey.FromString(msg.payload)
            entries = [
                kv_query_result_pb2.KeyModification(
                    tx_id=tx, value=value, is_delete=deleted
                ).SerializeToString()
                for tx, value, deleted in reversed(self.history.get(req.key, []))
            ]
            return self._open_iterator(entries)
        if kind == Msg.QUERY_STATE_NEXT:
            req = shim.QueryStateNext.FromString(msg.payload)
            return self._next_batch(req.id)
        if kind == Msg.QUERY_STATE_CLOSE:
            req = shim.QueryStateClose.FromString(msg.payload)
            self._iterators.pop(req.id, None)
            return bytes(shim.QueryResponse(has_more=False, id=req.id).SerializeToString())
        if kind == Msg.INVOKE_CHAINCODE:
            spec = chaincode_pb2.ChaincodeSpec.FromString(msg.payload)
            text = spec.chaincode_id.name + ":" + b",".join(spec.input.args).decode()
            inner = Msg(
                type=Msg.COMPLETED,
                txid=msg.txid,
                payload=proposal_response_pb2.Response(
                    status=200, payload=text.encode()
                ).SerializeToString(),
            )
            return bytes(inner.SerializeToString())
        raise KeyError(f"fake peer cannot handle {type_name(kind)}")

    def _keys_between(self, space: dict[str, bytes], start: str, end: str) -> list[str]:
        return [k for k in sorted(space) if k >= start and (not end or k < end)]

    def _range(self, req: Any) -> bytes:
        space = self._space(req.collection)
        shim = chaincode_shim_pb2
        meta = shim.QueryMetadata.FromString(req.metadata) if req.metadata else None
        if meta is not None and (meta.pageSize or meta.bookmark):
            keys = self._keys_between(space, meta.bookmark or req.startKey, req.endKey)
            page, rest = keys[: meta.pageSize], keys[meta.pageSize :]
            response = shim.QueryResponse(
                results=[shim.QueryResultBytes(resultBytes=self._kv(k, space[k])) for k in page],
                has_more=False,
                id="paged",
                metadata=shim.QueryResponseMetadata(
                    fetched_records_count=len(page), bookmark=rest[0] if rest else ""
                ).SerializeToString(),
            )
            return bytes(response.SerializeToString())
        keys = self._keys_between(space, req.startKey, req.endKey)
        return self._open_iterator([self._kv(k, space[k]) for k in keys])

    @staticmethod
    def _kv(key: str, value: bytes) -> bytes:
        return bytes(
            kv_query_result_pb2.KV(namespace="gridledger", key=key, value=value).SerializeToString()
        )

    def _open_iterator(self, results: Iterable[bytes]) -> bytes:
        self._next_id += 1
        iterator_id = f"it{self._next_id}"
        self._iterators[iterator_id] = iter(list(results))
        return self._next_batch(iterator_id)

    def _next_batch(self, iterator_id: str) -> bytes:
        shim = chaincode_shim_pb2
        iterator = self._iterators.get(iterator_id)
        if iterator is None:
            raise KeyError("query iterator not found")
        batch = [r for _, r in zip(range(self.batch_size), iterator, strict=False)]
        peeked = next(iterator, None)
        if peeked is None:
            del self._iterators[iterator_id]
        else:
            self._iterators[iterator_id] = iter([peeked, *iterator])
        response = shim.QueryResponse(
            results=[shim.QueryResultBytes(resultBytes=r) for r in batch],
            has_more=peeked is not None,
            id=iterator_id,
        )
        return bytes(response.SerializeToString())
