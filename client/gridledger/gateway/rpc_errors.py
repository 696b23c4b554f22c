"""Turn a failed gRPC call (sync or asyncio) into a typed Gateway error."""

from __future__ import annotations

from typing import Any, TypeVar

from gridledger.gateway.errors import GatewayError
from gridledger.gateway.status_details import details_from_metadata

E = TypeVar("E", bound=GatewayError)


def _call_attr(error: Any, name: str) -> Any:
    attribute = getattr(error, name, None)
    try:
        return attribute() if callable(attribute) else None
    except Exception:  # a half-built call object: keep what can be read
        return None


def from_rpc_error(error_type: type[E], error: Any, transaction_id: str = "") -> E:
    """Build ``error_type`` from a ``grpc.RpcError`` / ``grpc.aio.AioRpcError``."""
    code = _call_attr(error, "code")
    message = _call_attr(error, "details") or str(error)
    details = details_from_metadata(_call_attr(error, "trailing_metadata"))
    result = error_type(
        str(message), transaction_id=transaction_id, grpc_code=code, details=details
    )
    result.__cause__ = error if isinstance(error, BaseException) else None
    return result
