"""What every object of one gateway connection shares: who signs, deadlines, open streams."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Protocol

from gridledger.gateway.signing import SigningIdentity
from gridledger.gateway.timeouts import DEFAULT_TIMEOUTS, Timeouts


class Closeable(Protocol):
    def close(self) -> None: ...


class StreamRegistry:
    """Event streams still open on a connection, closed with it."""

    def __init__(self) -> None:
        self._streams: weakref.WeakSet[Closeable] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, stream: Closeable) -> None:
        with self._lock:
            self._streams.add(stream)

    def close_all(self) -> None:
        with self._lock:
            streams = list(self._streams)
            self._streams.clear()
        for stream in streams:
            stream.close()


@dataclass(frozen=True)
class ClientContext:
    signing: SigningIdentity
    timeouts: Timeouts = DEFAULT_TIMEOUTS
    tls_cert_hash: bytes = b""
    streams: StreamRegistry = field(default_factory=StreamRegistry, compare=False)
