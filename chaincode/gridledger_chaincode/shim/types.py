"""Plain value types exchanged between contract code and a ledger stub (no protobuf, no gRPC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: HTTP-style status codes Fabric uses in chaincode responses.
STATUS_OK = 200
STATUS_ERROR_THRESHOLD = 400
STATUS_ERROR = 500


@dataclass(frozen=True, slots=True)
class KV:
    """One state entry returned by a range or composite-key query."""

    key: str
    value: bytes
    namespace: str = ""


@dataclass(frozen=True, slots=True)
class KeyModification:
    """One entry of a key's history, newest first as the peer returns them."""

    tx_id: str
    value: bytes
    timestamp: datetime | None
    is_delete: bool


@dataclass(frozen=True, slots=True)
class QueryPageMetadata:
    """What the peer says about one page of a paginated query."""

    fetched_records_count: int
    bookmark: str


@dataclass(frozen=True, slots=True)
class ChaincodeResponse:
    """A chaincode's answer to one transaction (Fabric's `peer.Response`)."""

    status: int
    message: str = ""
    payload: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status < STATUS_ERROR_THRESHOLD

    @classmethod
    def success(cls, payload: bytes = b"") -> ChaincodeResponse:
        return cls(STATUS_OK, "", payload)

    @classmethod
    def error(cls, message: str, payload: bytes = b"") -> ChaincodeResponse:
        return cls(STATUS_ERROR, message, payload)


@dataclass(frozen=True, slots=True)
class ChaincodeEventData:
    """The chaincode event a transaction sets (Fabric keeps at most one per transaction)."""

    name: str
    payload: bytes
