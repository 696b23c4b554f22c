"""Query iterators: page-by-page over the peer's QUERY_STATE_NEXT, or over an in-memory list."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, Self, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class QueryPage:
    """One QueryResponse from the peer: encoded results, whether more follow, the iterator id."""

    results: Sequence[bytes]
    has_more: bool
    iterator_id: str


class _ClosingIterator(ABC, Generic[T]):
    """An iterator that is also a context manager: leaving the ``with`` block closes it."""

    __slots__ = ()

    def __iter__(self) -> Iterator[T]:
        return self

    @abstractmethod
    def __next__(self) -> T: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class PeerQueryIterator(_ClosingIterator[T]):
    """Walks a peer-side iterator, asking for the next batch when the current one is consumed.

    The peer drops its iterator by itself once it reports no more results, so `close()` only
    talks to the peer when results were left unread.
    """

    __slots__ = ("_close", "_closed", "_decode", "_fetch_next", "_index", "_page")

    def __init__(
        self,
        first_page: QueryPage,
        decode: Callable[[bytes], T],
        fetch_next: Callable[[str], QueryPage],
        close: Callable[[str], None],
    ) -> None:
        self._page = first_page
        self._index = 0
        self._decode = decode
        self._fetch_next = fetch_next
        self._close = close
        self._closed = False

    def __next__(self) -> T:
        while True:
            page = self._page
            if self._index < len(page.results):
                raw = page.results[self._index]
                self._index += 1
                return self._decode(raw)
            if not page.has_more or self._closed:
                raise StopIteration
            self._page = self._fetch_next(page.iterator_id)
            self._index = 0

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._page.has_more:
            self._close(self._page.iterator_id)


class ListQueryIterator(_ClosingIterator[T]):
    """A query iterator over results already in memory (used by the in-memory stub)."""

    __slots__ = ("_items",)

    def __init__(self, items: Sequence[T]) -> None:
        self._items: Iterator[T] = iter(items)

    def __next__(self) -> T:
        return next(self._items)

    def close(self) -> None:
        self._items = iter(())
