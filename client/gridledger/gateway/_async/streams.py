"""Closeable event iterators over a response stream."""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

from gridledger.gateway.errors import GatewayError
from gridledger.gateway.streams import Convert, StreamBase
from gridledger.gateway.transport import AsyncResponseStream

T = TypeVar("T")


class AsyncEventStream(StreamBase[T]):
    """Events as they come; ``close()`` (or leaving the ``with`` block) cancels the call."""

    def __init__(self, call: AsyncResponseStream, convert: Convert[T]) -> None:
        super().__init__(call, convert)
        self._responses = call

    def __aiter__(self) -> AsyncEventStream[T]:
        return self

    async def __anext__(self) -> T:
        while not self._buffer:
            if self._closed:
                raise StopAsyncIteration
            try:
                more = self._take(await self._responses.read())
            except GatewayError:
                if self._closed:  # the call was cancelled by close()
                    raise StopAsyncIteration from None
                self.close()
                raise
            if not more:
                raise StopAsyncIteration
        return self._buffer.popleft()

    # unasync: async only
    async def aclose(self) -> None:
        self.close()

    # unasync: end
    async def __aenter__(self) -> AsyncEventStream[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
