"""ChaincodeStub: the ledger stub backed by the peer, one per INIT/TRANSACTION message."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from gridledger_chaincode.shim import messages
from gridledger_chaincode.shim.errors import ChaincodeStubError
from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.shim.iterators import PeerQueryIterator, QueryPage
from gridledger_chaincode.shim.messages import PeerCapabilities, ProposalInfo
from gridledger_chaincode.shim.stub_base import StubBase, require_collection
from gridledger_chaincode.shim.types import (
    KV,
    ChaincodeResponse,
    KeyModification,
    QueryPageMetadata,
)
from gridledger_chaincode.shim.write_batch import WriteBatch

T = TypeVar("T")


class PeerExchange(Protocol):
    """Request/response with the peer on behalf of one transaction."""

    @property
    def capabilities(self) -> PeerCapabilities: ...

    def call(self, message_type: int, payload: bytes) -> bytes:
        """Send one request; return the RESPONSE payload or raise ChaincodeStubError."""
        ...


class ChaincodeStub(StubBase):
    """Implements `LedgerStub` over the chaincode stream. Not thread-safe: one per transaction."""

    def __init__(
        self,
        exchange: PeerExchange,
        channel_id: str,
        tx_id: str,
        args: list[bytes],
        signed_proposal: Any | None,
    ) -> None:
        super().__init__(tx_id, args)
        self._exchange = exchange
        self._channel_id = channel_id
        self._signed_proposal = signed_proposal
        self._proposal: ProposalInfo | None = None
        self._creator: ClientIdentity | None = None
        self.write_batch: WriteBatch | None = (
            WriteBatch() if exchange.capabilities.use_write_batch else None
        )

    # -- the proposal -------------------------------------------------------------------------
    @property
    def channel_id(self) -> str:
        return self._channel_id

    @property
    def function(self) -> str:
        return self._args[0].decode("utf-8", "replace") if self._args else ""

    def _proposal_info(self) -> ProposalInfo:
        if self._proposal is None:
            if self._signed_proposal is None:
                raise ChaincodeStubError("the transaction carries no signed proposal")
            self._proposal = messages.decode_proposal(self._signed_proposal)
        return self._proposal

    @property
    def creator(self) -> ClientIdentity:
        if self._creator is None:
            info = self._proposal_info()
            self._creator = ClientIdentity(info.creator_msp_id, info.creator_id_bytes)
        return self._creator

    @property
    def transient(self) -> Mapping[str, bytes]:
        if self._signed_proposal is None:
            return {}
        return self._proposal_info().transient

    @property
    def tx_timestamp(self) -> datetime:
        return self._proposal_info().timestamp

    @property
    def binding(self) -> bytes:
        return self._proposal_info().binding

    @property
    def signed_proposal(self) -> Any:
        """The `peer.SignedProposal` protobuf the peer sent with the transaction (or None)."""
        return self._signed_proposal

    # -- world state --------------------------------------------------------------------------
    def _call(self, message_type: int, payload: bytes) -> bytes:
        return self._exchange.call(message_type, payload)

    def get_state(self, key: str) -> bytes:
        return self._call(messages.GET_STATE, messages.get_state_payload("", key))

    def _get_multiple(self, collection: str, keys_: Sequence[str]) -> list[bytes]:
        caps = self._exchange.capabilities
        if not caps.use_get_multiple_keys:
            return [
                self._call(messages.GET_STATE, messages.get_state_payload(collection, key))
                for key in keys_
            ]
        values: list[bytes] = []
        size = caps.max_size_get_multiple_keys
        for start in range(0, len(keys_), size):
            chunk = keys_[start : start + size]
            reply = self._call(
                messages.GET_STATE_MULTIPLE, messages.get_state_multiple_payload(collection, chunk)
            )
            chunk_values = messages.decode_state_multiple(reply)
            if len(chunk_values) != len(chunk):
                raise ChaincodeStubError(
                    f"GET_STATE_MULTIPLE returned {len(chunk_values)} values for {len(chunk)} keys"
                )
            values.extend(chunk_values)
        return values

    def get_multiple_states(self, keys: Sequence[str]) -> list[bytes]:
        return self._get_multiple("", keys)

    def _put(self, collection: str, key: str, value: bytes) -> None:
        if not key:
            raise ValueError("key must not be an empty string")
        if self.write_batch is not None:
            self.write_batch.put_state(collection, key, value)
            return
        self._call(messages.PUT_STATE, messages.put_state_payload(collection, key, value))

    def _delete(self, collection: str, key: str) -> None:
        if self.write_batch is not None:
            self.write_batch.del_state(collection, key)
            return
        self._call(messages.DEL_STATE, messages.del_state_payload(collection, key))

    def put_state(self, key: str, value: bytes) -> None:
        self._put("", key, value)

    def del_state(self, key: str) -> None:
        self._delete("", key)

    def _query(
        self, message_type: int, payload: bytes, decode: Callable[[bytes], T]
    ) -> tuple[PeerQueryIterator[T], QueryPageMetadata | None]:
        first_page, metadata = messages.decode_query_page(self._call(message_type, payload))
        return PeerQueryIterator(first_page, decode, self._next_page, self._close_query), metadata

    def _next_page(self, iterator_id: str) -> QueryPage:
        reply = self._call(
            messages.QUERY_STATE_NEXT, messages.query_state_next_payload(iterator_id)
        )
        return messages.decode_query_page(reply)[0]

    def _close_query(self, iterator_id: str) -> None:
        self._call(messages.QUERY_STATE_CLOSE, messages.query_state_close_payload(iterator_id))

    def _range(
        self, collection: str, start_key: str, end_key: str, page_size: int | None, bookmark: str
    ) -> tuple[PeerQueryIterator[KV], QueryPageMetadata]:
        payload = messages.get_state_by_range_payload(
            collection, start_key, end_key, page_size, bookmark
        )
        iterator, metadata = self._query(messages.GET_STATE_BY_RANGE, payload, messages.decode_kv)
        return iterator, metadata or QueryPageMetadata(0, "")

    def get_query_result(self, query: str, collection: str = "") -> PeerQueryIterator[KV]:
        """A rich (CouchDB) query; only peers with a CouchDB state database answer it."""
        payload = messages.get_query_result_payload(collection, query, None, "")
        return self._query(messages.GET_QUERY_RESULT, payload, messages.decode_kv)[0]

    def get_history_for_key(self, key: str) -> PeerQueryIterator[KeyModification]:
        payload = messages.get_history_payload(key)
        return self._query(messages.GET_HISTORY_FOR_KEY, payload, messages.decode_key_modification)[
            0
        ]

    # -- private data -------------------------------------------------------------------------
    def get_private_data(self, collection: str, key: str) -> bytes:
        require_collection(collection)
        return self._call(messages.GET_STATE, messages.get_state_payload(collection, key))

    def get_multiple_private_data(self, collection: str, keys: Sequence[str]) -> list[bytes]:
        require_collection(collection)
        return self._get_multiple(collection, keys)

    def put_private_data(self, collection: str, key: str, value: bytes) -> None:
        require_collection(collection)
        self._put(collection, key, value)

    def del_private_data(self, collection: str, key: str) -> None:
        require_collection(collection)
        self._delete(collection, key)

    def purge_private_data(self, collection: str, key: str) -> None:
        require_collection(collection)
        if self.write_batch is not None:
            self.write_batch.purge_private_data(collection, key)
            return
        self._call(messages.PURGE_PRIVATE_DATA, messages.del_state_payload(collection, key))

    def get_private_data_hash(self, collection: str, key: str) -> bytes:
        require_collection(collection)
        return self._call(
            messages.GET_PRIVATE_DATA_HASH, messages.get_state_payload(collection, key)
        )

    # -- key-level endorsement ----------------------------------------------------------------
    def _get_metadata(self, collection: str, key: str) -> dict[str, bytes]:
        reply = self._call(
            messages.GET_STATE_METADATA, messages.get_state_metadata_payload(collection, key)
        )
        return messages.decode_state_metadata(reply)

    def _put_metadata(self, collection: str, key: str, metakey: str, value: bytes) -> None:
        if self.write_batch is not None:
            self.write_batch.put_metadata(collection, key, metakey, value)
            return
        payload = messages.put_state_metadata_payload(collection, key, metakey, value)
        self._call(messages.PUT_STATE_METADATA, payload)

    # -- other chaincodes ---------------------------------------------------------------------
    def invoke_chaincode(
        self, chaincode_name: str, args: Sequence[bytes | str], channel: str = ""
    ) -> ChaincodeResponse:
        target = f"{chaincode_name}/{channel}" if channel else chaincode_name
        encoded = [arg.encode() if isinstance(arg, str) else arg for arg in args]
        try:
            reply = self._call(
                messages.INVOKE_CHAINCODE, messages.invoke_chaincode_payload(target, encoded)
            )
        except ChaincodeStubError as exc:
            return ChaincodeResponse.error(str(exc))
        return messages.decode_invoke_response(reply)

    # -- end of transaction -------------------------------------------------------------------
    def flush_writes(self) -> None:
        """Send the kept-back writes (if the peer batches writes) before COMPLETED."""
        batch = self.write_batch
        if batch is None or not len(batch):
            return
        self.write_batch = None
        for payload in batch.payloads(self._exchange.capabilities.max_size_write_batch):
            self._call(messages.WRITE_BATCH_STATE, payload)
