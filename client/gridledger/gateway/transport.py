"""Thin transports: send a prepared request over gRPC, map failures to typed errors.

The client classes (``_async``, and ``_sync`` generated from it) talk to this interface:
``unary(rpc, request, timeout, transaction_id)`` for the four unary Gateway methods,
``chaincode_events(request)`` and ``deliver(kind, envelope)`` for the streams (each a response
stream with ``read()``, None at its end, and ``cancel()``), and ``close()`` for the channel.
``Transport`` does it on a ``grpc.Channel``, ``AsyncTransport`` on a ``grpc.aio.Channel``;
neither builds anything (see ``requests``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

import grpc
import grpc.aio
from fabric_protos.gateway import gateway_pb2_grpc
from fabric_protos.peer import events_pb2_grpc
from gridledger.gateway.errors import (
    CommitStatusError,
    EndorseError,
    EvaluateError,
    EventsError,
    GatewayError,
    SubmitError,
)
from gridledger.gateway.rpc_errors import from_rpc_error


class DeliverKind(Enum):
    """Which Deliver service method, i.e. which kind of block."""

    BLOCK = "Deliver"
    FILTERED_BLOCK = "DeliverFiltered"
    BLOCK_AND_PRIVATE_DATA = "DeliverWithPrivateData"


@dataclass(frozen=True)
class Rpc:
    """A unary ``gateway.Gateway`` method and the error raised when it fails."""

    method: str
    error: type[GatewayError]


EVALUATE = Rpc("Evaluate", EvaluateError)
ENDORSE = Rpc("Endorse", EndorseError)
SUBMIT = Rpc("Submit", SubmitError)
COMMIT_STATUS = Rpc("CommitStatus", CommitStatusError)


class _Stubs:
    """The Gateway and Deliver stubs on one channel (either kind)."""

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        self._gateway = gateway_pb2_grpc.GatewayStub(channel)
        self._deliver = events_pb2_grpc.DeliverStub(channel)

    def _unary_method(self, rpc: Rpc) -> Any:
        return getattr(self._gateway, rpc.method)

    def _deliver_method(self, kind: DeliverKind) -> Any:
        return getattr(self._deliver, kind.value)


class _Cancellable:
    def __init__(self, call: Any, on_cancel: Callable[[], None] | None = None) -> None:
        self._call = call
        self._on_cancel = on_cancel

    def cancel(self) -> None:
        """Stop the call (and let a Deliver request stream end)."""
        if self._on_cancel is not None:
            self._on_cancel()
        self._call.cancel()


class ResponseStream(_Cancellable):
    """A synchronous server-streaming call."""

    def read(self) -> Any | None:
        """The next response, or None when the server ended the stream."""
        try:
            return next(self._call)
        except StopIteration:
            return None
        except grpc.RpcError as err:
            raise from_rpc_error(EventsError, err) from err


class AsyncResponseStream(_Cancellable):
    """A ``grpc.aio`` server-streaming call."""

    async def read(self) -> Any | None:
        """The next response, or None when the server ended the stream."""
        try:
            response = await self._call.read()
        except grpc.RpcError as err:
            raise from_rpc_error(EventsError, err) from err
        return None if response is grpc.aio.EOF else response


class Transport(_Stubs):
    """Synchronous Gateway + Deliver calls on one ``grpc.Channel``."""

    def unary(self, rpc: Rpc, request: Any, timeout: float, transaction_id: str) -> Any:
        try:
            return self._unary_method(rpc)(request, timeout=timeout)
        except grpc.RpcError as err:
            raise from_rpc_error(rpc.error, err, transaction_id) from err

    def chaincode_events(self, request: Any) -> ResponseStream:
        return ResponseStream(self._gateway.ChaincodeEvents(request))

    def deliver(self, kind: DeliverKind, envelope: Any) -> ResponseStream:
        """Open a Deliver stream; the request side stays open until the stream is cancelled."""
        closed = threading.Event()

        def requests() -> Iterator[Any]:
            yield envelope
            closed.wait()

        return ResponseStream(self._deliver_method(kind)(requests()), on_cancel=closed.set)

    def close(self) -> None:
        self._channel.close()


class AsyncTransport(_Stubs):
    """Asyncio Gateway + Deliver calls on one ``grpc.aio.Channel``."""

    async def unary(self, rpc: Rpc, request: Any, timeout: float, transaction_id: str) -> Any:
        try:
            return await self._unary_method(rpc)(request, timeout=timeout)
        except grpc.RpcError as err:
            raise from_rpc_error(rpc.error, err, transaction_id) from err

    def chaincode_events(self, request: Any) -> AsyncResponseStream:
        return AsyncResponseStream(self._gateway.ChaincodeEvents(request))

    def deliver(self, kind: DeliverKind, envelope: Any) -> AsyncResponseStream:
        closed = asyncio.Event()

        async def requests() -> AsyncIterator[Any]:
            yield envelope
            await closed.wait()

        return AsyncResponseStream(self._deliver_method(kind)(requests()), on_cancel=closed.set)

    async def close(self) -> None:
        await self._channel.close()
