"""Thin transports: send a prepared request over gRPC, map failures to typed errors.

``Transport`` is the synchronous one, ``AsyncTransport`` the asyncio one; neither builds
anything (see ``requests``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from enum import Enum
from typing import Any

import grpc
from fabric_protos.gateway import gateway_pb2_grpc
from fabric_protos.peer import events_pb2_grpc
from gridledger.gateway.errors import (
    CommitStatusError,
    EndorseError,
    EvaluateError,
    GatewayError,
    SubmitError,
)
from gridledger.gateway.rpc_errors import from_rpc_error


class DeliverKind(Enum):
    """Which Deliver service method, i.e. which kind of block."""

    BLOCK = "Deliver"
    FILTERED_BLOCK = "DeliverFiltered"
    BLOCK_AND_PRIVATE_DATA = "DeliverWithPrivateData"


class Transport:
    """Synchronous Gateway + Deliver calls on one ``grpc.Channel``."""

    def __init__(self, channel: Any) -> None:
        self._gateway = gateway_pb2_grpc.GatewayStub(channel)
        self._deliver = events_pb2_grpc.DeliverStub(channel)

    def _unary(
        self, method: Any, request: Any, timeout: float, error: type[GatewayError], tx_id: str
    ) -> Any:
        try:
            return method(request, timeout=timeout)
        except grpc.RpcError as err:
            raise from_rpc_error(error, err, tx_id) from err

    def evaluate(self, request: Any, timeout: float) -> Any:
        return self._unary(
            self._gateway.Evaluate, request, timeout, EvaluateError, request.transaction_id
        )

    def endorse(self, request: Any, timeout: float) -> Any:
        return self._unary(
            self._gateway.Endorse, request, timeout, EndorseError, request.transaction_id
        )

    def submit(self, request: Any, timeout: float) -> Any:
        return self._unary(
            self._gateway.Submit, request, timeout, SubmitError, request.transaction_id
        )

    def commit_status(self, request: Any, transaction_id: str, timeout: float) -> Any:
        return self._unary(
            self._gateway.CommitStatus, request, timeout, CommitStatusError, transaction_id
        )

    def chaincode_events(self, request: Any) -> Any:
        """A server-streaming call: iterate it for responses, ``cancel()`` it to stop."""
        return self._gateway.ChaincodeEvents(request)

    def deliver(self, kind: DeliverKind, envelope: Any) -> tuple[Any, threading.Event]:
        """Open a Deliver stream; the request side stays open until the event is set."""
        closed = threading.Event()

        def requests() -> Iterator[Any]:
            yield envelope
            closed.wait()

        method = getattr(self._deliver, kind.value)
        return method(requests()), closed


class AsyncTransport:
    """Asyncio Gateway + Deliver calls on one ``grpc.aio.Channel``."""

    def __init__(self, channel: Any) -> None:
        self._gateway = gateway_pb2_grpc.GatewayStub(channel)
        self._deliver = events_pb2_grpc.DeliverStub(channel)

    async def _unary(
        self, method: Any, request: Any, timeout: float, error: type[GatewayError], tx_id: str
    ) -> Any:
        try:
            return await method(request, timeout=timeout)
        except grpc.RpcError as err:
            raise from_rpc_error(error, err, tx_id) from err

    async def evaluate(self, request: Any, timeout: float) -> Any:
        return await self._unary(
            self._gateway.Evaluate, request, timeout, EvaluateError, request.transaction_id
        )

    async def endorse(self, request: Any, timeout: float) -> Any:
        return await self._unary(
            self._gateway.Endorse, request, timeout, EndorseError, request.transaction_id
        )

    async def submit(self, request: Any, timeout: float) -> Any:
        return await self._unary(
            self._gateway.Submit, request, timeout, SubmitError, request.transaction_id
        )

    async def commit_status(self, request: Any, transaction_id: str, timeout: float) -> Any:
        return await self._unary(
            self._gateway.CommitStatus, request, timeout, CommitStatusError, transaction_id
        )

    def chaincode_events(self, request: Any) -> Any:
        """A ``grpc.aio`` unary-stream call: ``await call.read()``, ``call.cancel()``."""
        return self._gateway.ChaincodeEvents(request)

    def deliver(self, kind: DeliverKind, envelope: Any) -> tuple[Any, asyncio.Event]:
        closed = asyncio.Event()

        async def requests() -> AsyncIterator[Any]:
            yield envelope
            await closed.wait()

        method = getattr(self._deliver, kind.value)
        return method(requests()), closed
