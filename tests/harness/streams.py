"""Reading event streams in tests without ever hanging the suite.

A stream whose expected item never comes is closed by a watchdog after ``HANG_GUARD_SECONDS`` (a
guard against a hung test, not a timing assertion), and the test then fails on what it saw.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

HANG_GUARD_SECONDS = 60.0


def _close(stream: Any) -> None:
    close = getattr(stream, "close", None)
    if callable(close):
        close()


def read_until(stream: Iterable[T], done: Callable[[T], bool], *, limit: int = 100_000) -> list[T]:
    """Items of ``stream`` up to and including the first for which ``done`` holds.

    Closes the stream afterwards. Returns what was read even if ``done`` never held (the stream
    ended, was closed by the hang guard, or ``limit`` items went by); callers assert on it.
    """
    seen: list[T] = []
    watchdog = threading.Timer(HANG_GUARD_SECONDS, _close, args=(stream,))
    watchdog.daemon = True
    watchdog.start()
    try:
        for item in stream:
            seen.append(item)
            if done(item) or len(seen) >= limit:
                break
    except Exception:
        if watchdog.is_alive():
            raise
        # the hang guard closed the stream: report what was seen
    finally:
        watchdog.cancel()
        _close(stream)
    return seen
