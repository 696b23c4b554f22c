"""What every `LedgerStub` does the same way, whatever ledger is behind it.

The transaction id and arguments, and Fabric's rules on the chaincode side: range bounds and key
checks of range and composite-key queries, composite keys, non-empty collection and event names,
and the validation parameter as a key's metadata entry. A stub supplies the ledger behind them:
`_range`, `_get_metadata` and `_put_metadata`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

from gridledger_chaincode.shim import keys
from gridledger_chaincode.shim.interface import StateIterator
from gridledger_chaincode.shim.policy import VALIDATION_PARAMETER
from gridledger_chaincode.shim.types import ChaincodeEventData, QueryPageMetadata

PUBLIC = ""  # the collection name of public world state


def require_collection(collection: str) -> str:
    if not collection:
        raise ValueError("collection must not be an empty string")
    return collection


class StubBase(ABC):
    """The part of `LedgerStub` written once for `ChaincodeStub` and the in-memory stub."""

    def __init__(self, tx_id: str, args: list[bytes]) -> None:
        self._tx_id = tx_id
        self._args = args
        self.event: ChaincodeEventData | None = None

    # -- what a stub supplies -----------------------------------------------------------------
    @abstractmethod
    def _range(
        self, collection: str, start_key: str, end_key: str, page_size: int | None, bookmark: str
    ) -> tuple[StateIterator, QueryPageMetadata]:
        """Keys in [start_key, end_key) of ``collection`` (``PUBLIC``: world state); one page
        of them from ``bookmark`` when ``page_size`` is given."""

    @abstractmethod
    def _get_metadata(self, collection: str, key: str) -> Mapping[str, bytes]: ...

    @abstractmethod
    def _put_metadata(self, collection: str, key: str, metakey: str, value: bytes) -> None: ...

    # -- the proposal -------------------------------------------------------------------------
    @property
    def tx_id(self) -> str:
        return self._tx_id

    @property
    def args(self) -> Sequence[bytes]:
        return self._args

    @property
    def parameters(self) -> list[str]:
        return [arg.decode("utf-8", "replace") for arg in self._args[1:]]

    # -- range and composite-key queries ------------------------------------------------------
    def _simple_key_range(
        self, collection: str, start_key: str, end_key: str, page_size: int | None, bookmark: str
    ) -> tuple[StateIterator, QueryPageMetadata]:
        start_key = keys.range_start(start_key)
        keys.validate_simple_keys(start_key, end_key)
        return self._range(collection, start_key, end_key, page_size, bookmark)

    def _composite_key_range(
        self,
        collection: str,
        object_type: str,
        attributes: Sequence[str],
        page_size: int | None,
        bookmark: str,
    ) -> tuple[StateIterator, QueryPageMetadata]:
        start, end = keys.partial_composite_key_range(object_type, attributes)
        return self._range(collection, start, end, page_size, bookmark)

    def get_state_by_range(self, start_key: str, end_key: str) -> StateIterator:
        return self._simple_key_range(PUBLIC, start_key, end_key, None, "")[0]

    def get_state_by_range_with_pagination(
        self, start_key: str, end_key: str, page_size: int, bookmark: str = ""
    ) -> tuple[StateIterator, QueryPageMetadata]:
        return self._simple_key_range(PUBLIC, start_key, end_key, page_size, bookmark)

    def get_state_by_partial_composite_key(
        self, object_type: str, attributes: Sequence[str]
    ) -> StateIterator:
        return self._composite_key_range(PUBLIC, object_type, attributes, None, "")[0]

    def get_state_by_partial_composite_key_with_pagination(
        self, object_type: str, attributes: Sequence[str], page_size: int, bookmark: str = ""
    ) -> tuple[StateIterator, QueryPageMetadata]:
        return self._composite_key_range(PUBLIC, object_type, attributes, page_size, bookmark)

    def get_private_data_by_range(
        self, collection: str, start_key: str, end_key: str
    ) -> StateIterator:
        require_collection(collection)
        return self._simple_key_range(collection, start_key, end_key, None, "")[0]

    def get_private_data_by_partial_composite_key(
        self, collection: str, object_type: str, attributes: Sequence[str]
    ) -> StateIterator:
        require_collection(collection)
        return self._composite_key_range(collection, object_type, attributes, None, "")[0]

    def create_composite_key(self, object_type: str, attributes: Sequence[str]) -> str:
        return keys.create_composite_key(object_type, attributes)

    def split_composite_key(self, composite_key: str) -> tuple[str, list[str]]:
        return keys.split_composite_key(composite_key)

    # -- key-level endorsement ----------------------------------------------------------------
    def get_state_validation_parameter(self, key: str) -> bytes:
        return self._get_metadata(PUBLIC, key).get(VALIDATION_PARAMETER, b"")

    def set_state_validation_parameter(self, key: str, policy: bytes) -> None:
        self._put_metadata(PUBLIC, key, VALIDATION_PARAMETER, policy)

    def get_private_data_validation_parameter(self, collection: str, key: str) -> bytes:
        require_collection(collection)
        return self._get_metadata(collection, key).get(VALIDATION_PARAMETER, b"")

    def set_private_data_validation_parameter(
        self, collection: str, key: str, policy: bytes
    ) -> None:
        require_collection(collection)
        self._put_metadata(collection, key, VALIDATION_PARAMETER, policy)

    # -- events -------------------------------------------------------------------------------
    def set_event(self, name: str, payload: bytes) -> None:
        if not name:
            raise ValueError("event name can not be empty string")
        self.event = ChaincodeEventData(name, payload)
