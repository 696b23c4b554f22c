"""``AsyncListing``: every item of a paged listing, fetched a page at a time as it is iterated.

async for trade in client.trades(page_size=200, limit=1000): ...
page = await client.trades().page(bookmark)    # one page and the bookmark of the next
trades = await client.trades().all()           # every item (up to the limit), as a list
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Any, Generic, Protocol, TypeVar

from gridledger.energy.paging import DEFAULT_PAGE_SIZE, Page, check_limit, check_page_size

T = TypeVar("T")


class AsyncPageSource(Protocol[T]):
    """Fetches one page of ``page_size`` from ``bookmark`` (empty: the first page)."""

    async def __call__(self, page_size: int, bookmark: str, /) -> Page[T]: ...


class AsyncListing(Generic[T]):
    """The items of a listing, ``page_size`` per call to the contract, at most ``limit``
    (None: every one). Nothing is fetched until it is iterated (or ``page``/``all`` called)."""

    def __init__(
        self,
        source: AsyncPageSource[T],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        limit: int | None = None,
    ) -> None:
        self._source = source
        self.page_size = check_page_size(page_size)
        self.limit = check_limit(limit)

    async def page(self, bookmark: str = "", page_size: int | None = None) -> Page[T]:
        """One page from ``bookmark`` (the previous page's; empty for the first)."""
        size = self.page_size if page_size is None else check_page_size(page_size)
        return await self._source(size, bookmark)

    async def __aiter__(self) -> AsyncIterator[T]:
        left = self.limit
        bookmark = ""
        while left is None or left > 0:
            size = self.page_size if left is None else min(self.page_size, left)
            page = await self._source(size, bookmark)
            for item in page.items[:left]:
                yield item
            if left is not None:
                left -= min(left, len(page.items))
            if page.last:
                return
            bookmark = page.bookmark

    async def all(self) -> list[T]:
        """Every item (up to ``limit``) in one list."""
        return [item async for item in self]

    # unasync: async only
    # ``await listing`` is ``await listing.all()`` (asyncio only).
    def __await__(self) -> Generator[Any, None, list[T]]:
        return self.all().__await__()

    # unasync: end
