"""The ledger stub contract code programs against.

`gridledger_chaincode.shim.stub.ChaincodeStub` implements it over the peer's chaincode stream;
`gridledger_chaincode.testing.InMemoryStub` implements it in memory for unit tests. Missing keys
read as empty bytes, as on Fabric (a key can never hold an empty value).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, TypeVar

from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.shim.types import (
    KV,
    ChaincodeResponse,
    KeyModification,
    QueryPageMetadata,
)

T_co = TypeVar("T_co", covariant=True)


class QueryIterator(Protocol[T_co]):
    """Results of a ledger query; fetches further pages from the peer as it is consumed."""

    def __iter__(self) -> Iterator[T_co]: ...

    def __next__(self) -> T_co: ...

    def close(self) -> None: ...

    def __enter__(self) -> QueryIterator[T_co]: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


StateIterator = QueryIterator[KV]
HistoryIterator = QueryIterator[KeyModification]


class LedgerStub(Protocol):
    """Everything a transaction function may ask of the ledger and of its proposal."""

    # -- the proposal -------------------------------------------------------------------------
    @property
    def tx_id(self) -> str: ...

    @property
    def channel_id(self) -> str: ...

    @property
    def args(self) -> Sequence[bytes]: ...

    @property
    def function(self) -> str: ...

    @property
    def parameters(self) -> list[str]: ...

    @property
    def creator(self) -> ClientIdentity: ...

    @property
    def transient(self) -> Mapping[str, bytes]: ...

    @property
    def tx_timestamp(self) -> datetime: ...

    @property
    def signed_proposal(self) -> Any: ...

    # -- world state --------------------------------------------------------------------------
    def get_state(self, key: str) -> bytes: ...

    def get_multiple_states(self, keys: Sequence[str]) -> list[bytes]: ...

    def put_state(self, key: str, value: bytes) -> None: ...

    def del_state(self, key: str) -> None: ...

    def get_state_by_range(self, start_key: str, end_key: str) -> StateIterator: ...

    def get_state_by_range_with_pagination(
        self, start_key: str, end_key: str, page_size: int, bookmark: str = ""
    ) -> tuple[StateIterator, QueryPageMetadata]: ...

    def get_state_by_partial_composite_key(
        self, object_type: str, attributes: Sequence[str]
    ) -> StateIterator: ...

    def get_state_by_partial_composite_key_with_pagination(
        self, object_type: str, attributes: Sequence[str], page_size: int, bookmark: str = ""
    ) -> tuple[StateIterator, QueryPageMetadata]: ...

    def get_history_for_key(self, key: str) -> HistoryIterator: ...

    def create_composite_key(self, object_type: str, attributes: Sequence[str]) -> str: ...

    def split_composite_key(self, composite_key: str) -> tuple[str, list[str]]: ...

    # -- private data -------------------------------------------------------------------------
    def get_private_data(self, collection: str, key: str) -> bytes: ...

    def get_multiple_private_data(self, collection: str, keys: Sequence[str]) -> list[bytes]: ...

    def put_private_data(self, collection: str, key: str, value: bytes) -> None: ...

    def del_private_data(self, collection: str, key: str) -> None: ...

    def purge_private_data(self, collection: str, key: str) -> None: ...

    def get_private_data_hash(self, collection: str, key: str) -> bytes: ...

    def get_private_data_by_range(
        self, collection: str, start_key: str, end_key: str
    ) -> StateIterator: ...

    def get_private_data_by_partial_composite_key(
        self, collection: str, object_type: str, attributes: Sequence[str]
    ) -> StateIterator: ...

    # -- key-level endorsement ----------------------------------------------------------------
    def get_state_validation_parameter(self, key: str) -> bytes: ...

    def set_state_validation_parameter(self, key: str, policy: bytes) -> None: ...

    def get_private_data_validation_parameter(self, collection: str, key: str) -> bytes: ...

    def set_private_data_validation_parameter(
        self, collection: str, key: str, policy: bytes
    ) -> None: ...

    # -- events and other chaincodes ----------------------------------------------------------
    def set_event(self, name: str, payload: bytes) -> None: ...

    def invoke_chaincode(
        self, chaincode_name: str, args: Sequence[bytes | str], channel: str = ""
    ) -> ChaincodeResponse: ...


class Chaincode(Protocol):
    """What the shim runs for each INIT and TRANSACTION message."""

    def init(self, stub: LedgerStub) -> ChaincodeResponse: ...

    def invoke(self, stub: LedgerStub) -> ChaincodeResponse: ...
