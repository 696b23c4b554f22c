"""Closeable event iterators over a gRPC response stream (sync and asyncio)."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Generic, TypeVar

import grpc
import grpc.aio
from gridledger.gateway.errors import EventsError, GatewayError
from gridledger.gateway.rpc_errors import from_rpc_error

T = TypeVar("T")

# Turns one response into items; None means the stream has ended normally.
Convert = Callable[[Any], Sequence[T] | None]

logger = logging.getLogger(__name__)


class EventStream(Generic[T]):
    """Iterator of events; ``close()`` (or leaving a ``with`` block) cancels the call."""

    def __init__(
        self, call: Any, convert: Convert[T], on_close: Callable[[], None] | None = None
    ) -> None:
        self._call = call
        self._convert = convert
        self._on_close = on_close
        self._buffer: deque[T] = deque()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def __iter__(self) -> EventStream[T]:
        return self

    def __next__(self) -> T:
        if self._closed:
            raise StopIteration
        while not self._buffer:
            if self._closed:
                raise StopIteration
            try:
                response = next(self._call)
            except StopIteration:
                self.close()
                raise
            except grpc.RpcError as err:
                if self._closed:
                    raise StopIteration from None
                self.close()
                raise from_rpc_error(EventsError, err) from err
            try:
                items = self._convert(response)
            except GatewayError:
                self.close()
                raise
            if items is None:
                self.close()
                raise StopIteration
            self._buffer.extend(items)
        return self._buffer.popleft()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._buffer.clear()
        if self._on_close is not None:
            self._on_close()
        self._call.cancel()
        logger.debug("event stream closed")

    def __enter__(self) -> EventStream[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncEventStream(Generic[T]):
    """Async iterator of events; ``close()``/``aclose()`` or ``async with`` cancels the call."""

    def __init__(
        self, call: Any, convert: Convert[T], on_close: Callable[[], None] | None = None
    ) -> None:
        self._call = call
        self._convert = convert
        self._on_close = on_close
        self._buffer: deque[T] = deque()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def __aiter__(self) -> AsyncEventStream[T]:
        return self

    async def __anext__(self) -> T:
        if self._closed:
            raise StopAsyncIteration
        while not self._buffer:
            if self._closed:
                raise StopAsyncIteration
            try:
                response = await self._call.read()
            except grpc.RpcError as err:
                if self._closed:
                    raise StopAsyncIteration from None
                self.close()
                raise from_rpc_error(EventsError, err) from err
            if response is grpc.aio.EOF:
                self.close()
                raise StopAsyncIteration
            try:
                items = self._convert(response)
            except GatewayError:
                self.close()
                raise
            if items is None:
                self.close()
                raise StopAsyncIteration
            self._buffer.extend(items)
        return self._buffer.popleft()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._buffer.clear()
        if self._on_close is not None:
            self._on_close()
        self._call.cancel()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> AsyncEventStream[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
