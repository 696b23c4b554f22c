"""Asyncio futures resolved from the committing thread once the ledger reaches a height."""

from __future__ import annotations

import asyncio
import contextlib
import threading


class HeightWaiters:
    """The committed height; ``wait`` and ``reached`` agree under one lock (no lost wake-up)."""

    def __init__(self, height: int) -> None:
        self._lock = threading.Lock()
        self._height = height
        self._waiting: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    @property
    def height(self) -> int:
        return self._height

    def wait(self, height: int) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._height >= height:
                future.set_result(None)
            else:
                self._waiting.append((height, loop, future))
        return future

    def reached(self, height: int) -> None:
        with self._lock:
            self._height = height
            due = [w for w in self._waiting if w[0] <= height]
            self._waiting = [w for w in self._waiting if w[0] > height]
        # one wake-up per loop, not per waiter (each call_soon_threadsafe writes the self-pipe)
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for _, loop, future in due:
            by_loop.setdefault(loop, []).append(future)
        for loop, futures in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(_resolve, futures)


def _resolve(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)
