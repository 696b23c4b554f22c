"""What both event stream flavours share: the buffer, ``close()``, and turning a response
into events (``_async.streams`` iterates; ``_sync.streams`` is generated from it)."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Turns one response into items; None means the stream has ended normally.
Convert = Callable[[Any], Sequence[T] | None]

logger = logging.getLogger(__name__)


class StreamBase(Generic[T]):
    """Events from one response stream; ``close()`` cancels the call."""

    def __init__(self, call: Any, convert: Convert[T]) -> None:
        self._call = call
        self._convert = convert
        self._buffer: deque[T] = deque()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def _take(self, response: Any | None) -> bool:
        """Buffer the events of ``response``; False (and closed) when the stream has ended."""
        items = None if response is None else self._convert(response)
        if items is None:
            self.close()
            return False
        self._buffer.extend(items)
        return True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._buffer.clear()
        self._call.cancel()
        logger.debug("event stream closed")
