"""Objects that hold a connection: ``async with`` closes them on the way out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class AsyncClosing(ABC):
    """Closed by ``close()``, or on leaving its ``async with`` block."""

    @abstractmethod
    async def close(self) -> None:
        """Release what this object holds; closing again does nothing."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
