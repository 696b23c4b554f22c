"""Running calls side by side, at most ``size`` at once: threads (``Workers``) or asyncio tasks
(``AsyncWorkers``).

Hand-written like the gateway's transports; ``_async.submitter`` (and the ``_sync`` one
generated from it) only use this interface: ``start(fn, *args)`` gives a handle,
``outcome(handle)`` waits for its result, ``wait_first(handles)`` for the first to finish,
``join()`` for all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")

Handle = Future
AsyncHandle = asyncio.Task


class Workers:
    """At most ``size`` threads; ``join()`` when done."""

    def __init__(self, size: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="readings")

    def start(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._pool.submit(fn, *args)

    def outcome(self, handle: Future[T]) -> T:
        return handle.result()

    def wait_first(self, handles: Collection[Future[T]]) -> tuple[set[Future[T]], set[Future[T]]]:
        done, pending = wait(handles, return_when=FIRST_COMPLETED)
        return set(done), set(pending)

    def join(self) -> None:
        """Wait for every call started, then let the threads go."""
        self._pool.shutdown(wait=True)


class AsyncWorkers:
    """At most ``size`` tasks running at once; ``join()`` when done."""

    def __init__(self, size: int) -> None:
        self._slots = asyncio.Semaphore(size)
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, fn: Callable[..., Awaitable[T]], *args: Any) -> asyncio.Task[T]:
        async def run() -> T:
            async with self._slots:
                return await fn(*args)

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        return task

    async def outcome(self, handle: asyncio.Task[T]) -> T:
        return await asyncio.shield(handle)

    async def wait_first(
        self, handles: Collection[asyncio.Task[T]]
    ) -> tuple[set[asyncio.Task[T]], set[asyncio.Task[T]]]:
        return await asyncio.wait(handles, return_when=asyncio.FIRST_COMPLETED)

    async def join(self) -> None:
        """Wait for every call started."""
        if self._tasks:
            await asyncio.wait(self._tasks)
