"""gRPC rich error status: grpc-status-details-bin → google.rpc.Status → gateway.ErrorDetail."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from typing import Any

from fabric_protos.gateway import gateway_pb2
from gridledger.gateway.errors import ErrorDetail

STATUS_DETAILS_KEY = "grpc-status-details-bin"
_ERROR_DETAIL_TYPE = str(gateway_pb2.ErrorDetail.DESCRIPTOR.full_name)

# googleapis-common-protos ships no type stubs; keep it behind this edge.
_status_pb2: Any = importlib.import_module("google.rpc.status_pb2")


def decode_status_details(status_bytes: bytes) -> list[ErrorDetail]:
    """The ``gateway.ErrorDetail`` entries of a serialized ``google.rpc.Status``."""
    status = _status_pb2.Status.FromString(status_bytes)
    details: list[ErrorDetail] = []
    for packed in status.details:
        if packed.TypeName() != _ERROR_DETAIL_TYPE:
            continue
        detail = gateway_pb2.ErrorDetail()
        packed.Unpack(detail)
        details.append(
            ErrorDetail(
                address=str(detail.address), msp_id=str(detail.msp_id), message=str(detail.message)
            )
        )
    return details


def details_from_metadata(metadata: Iterable[tuple[str, Any]] | None) -> list[ErrorDetail]:
    """Every ``gateway.ErrorDetail`` in a call's trailing metadata."""
    details: list[ErrorDetail] = []
    for key, value in metadata or ():
        if key == STATUS_DETAILS_KEY:
            raw = value.encode("latin-1") if isinstance(value, str) else bytes(value)
            details.extend(decode_status_details(raw))
    return details


def encode_status_details(code: int, message: str, details: Sequence[ErrorDetail]) -> bytes:
    """A serialized ``google.rpc.Status`` carrying ``details`` (what a Gateway server sends)."""
    status = _status_pb2.Status(code=code, message=message)
    for detail in details:
        packed = status.details.add()
        packed.Pack(
            gateway_pb2.ErrorDetail(
                address=detail.address, msp_id=detail.msp_id, message=detail.message
            )
        )
    return bytes(status.SerializeToString())
