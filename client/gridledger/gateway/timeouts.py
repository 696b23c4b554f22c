"""Per-call deadlines (seconds), with the defaults Fabric's gateway clients document."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Timeouts:
    evaluate: float = 5.0
    endorse: float = 15.0
    submit: float = 5.0
    commit_status: float = 60.0


DEFAULT_TIMEOUTS = Timeouts()


class Deadline:
    """An overall deadline shared by the steps of one ``submit`` (None: each step's default)."""

    def __init__(self, timeout: float | None) -> None:
        self._end = None if timeout is None else time.monotonic() + timeout

    def remaining(self, default: float) -> float:
        if self._end is None:
            return default
        return max(self._end - time.monotonic(), 0.001)

    def left(self) -> float | None:
        """Seconds left (at least a millisecond), or None without a deadline: what to pass as
        a step's ``timeout`` so that None keeps the step's own default."""
        return None if self._end is None else self.remaining(0.0)

    @property
    def passed(self) -> bool:
        return self._end is not None and time.monotonic() >= self._end
