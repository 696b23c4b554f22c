"""The open-offers board as the contract last answered it, per identity and query, for a
moment: a market page polled by many tabs, or an API client listing in a loop, costs the ledger
one evaluation per ``seconds`` instead of one per request.

An answer is only ever served to the identity the contract gave it to (the contract's access
rules stay the authority). Every state-changing call through the portal and every market event
the portal receives empties the cache, so users see their own offers, purchases and withdrawals
at once, and anyone else's within ``seconds`` (0.5 by default; 0 turns the cache off).
Concurrent requests for the same missing answer share one evaluation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

MAX_ENTRIES = 10_000


@dataclass
class MarketCache:
    seconds: float
    clock: Callable[[], float] = time.monotonic
    _answers: dict[Hashable, tuple[float, Any]] = field(default_factory=dict)
    _loading: dict[Hashable, asyncio.Future[Any]] = field(default_factory=dict)
    _generation: int = 0

    async def get(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        """The answer for ``key``: kept, being loaded by another request, or loaded now."""
        if self.seconds <= 0:
            return await load()
        kept = self._answers.get(key)
        if kept is not None and self.clock() - kept[0] < self.seconds:
            return kept[1]
        pending = self._loading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        generation, started = self._generation, self.clock()
        try:
            answer = await load()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiting requests get it, nobody else must
            raise
        else:
            future.set_result(answer)
            if generation == self._generation:  # nothing changed while it loaded
                if len(self._answers) >= MAX_ENTRIES:
                    self._answers.clear()
                self._answers[key] = (started, answer)
            return answer
        finally:
            if self._loading.get(key) is future:
                del self._loading[key]

    def clear(self) -> None:
        """The market changed: forget every answer; answers being loaded are neither kept nor
        shared with later requests."""
        self._generation += 1
        self._answers.clear()
        self._loading.clear()

    @contextmanager
    def cleared_after(self) -> Iterator[None]:
        """Empty the cache when the block ends (a state-changing call), however it ends."""
        try:
            yield
        finally:
            self.clear()
