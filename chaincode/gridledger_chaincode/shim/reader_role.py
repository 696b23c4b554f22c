"""The reader role of one chaincode stream: which thread receives the peer's messages.

The holder runs transactions inline and pumps the stream while they wait for the peer. When a
holder stays busy in contract code too long, the handler's monitor hands the role to a fresh
thread (see handler.py); the old holder's transactions then wait for their answers on queues.
"""

from __future__ import annotations

import threading
import time
from typing import Any


class ReaderRole:
    """One tenure of the reader role. Every field is guarded by the handler's lock."""

    __slots__ = ("busy_since", "lost", "receiving", "stack", "thread_id")

    def __init__(self, thread_id: int | None = None) -> None:
        self.thread_id = thread_id  # None until the thread taking the role starts
        self.receiving = False  # inside receive(): not busy in contract code
        self.busy_since = time.monotonic()  # when receive() last returned
        self.lost = False
        self.stack: list[Any] = []  # the holder's inline exchanges, outermost first

    def held_by_current_thread(self) -> bool:
        return not self.lost and self.thread_id == threading.get_ident()
