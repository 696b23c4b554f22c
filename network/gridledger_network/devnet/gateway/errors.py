"""gRPC errors with ``gateway.ErrorDetail``s in the status details, as Fabric's gateway sends."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

import grpc
from fabric_protos.gateway import gateway_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"
# google.rpc.Status (googleapis-common-protos ships no type information)
status_pb2: Any = importlib.import_module("google.rpc.status_pb2")
T = TypeVar("T")


class RpcError(Exception):
    def __init__(self, code: grpc.StatusCode, message: str, details: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = list(details)


def error_detail(address: str, msp_id: str, message: str) -> Any:
    return gateway_pb2.ErrorDetail(address=address, msp_id=msp_id, message=message)


def status_details(error: RpcError) -> bytes:
    """A serialized ``google.rpc.Status`` with each detail packed as ``Any``."""
    status = status_pb2.Status(code=error.code.value[0], message=error.message)
    for detail in error.details:
        status.details.add().Pack(detail)
    return bytes(status.SerializeToString())


async def abort(context: grpc.aio.ServicerContext, error: RpcError) -> None:
    metadata: tuple[tuple[str, str | bytes], ...] = ()
    if error.details:
        metadata = ((STATUS_DETAILS_KEY, status_details(error)),)
    await context.abort(error.code, error.message, trailing_metadata=metadata)


async def answer(context: grpc.aio.ServicerContext, work: Awaitable[T]) -> T | None:
    """One RPC's ``work``; an ``RpcError`` it raises aborts the call as Fabric's gateway does."""
    try:
        return await work
    except RpcError as err:
        await abort(context, err)
        return None
