"""Pages of the contract's listings: what one call answers (``Page``) and how it is read.

Every listing of the ``energy`` contract answers ``{"items": [...], "bookmark": "...",
"count": N}``; an empty bookmark marks the last page, and a page may be short without being the
last (keep asking while the bookmark is not empty). The clients' listing calls return a
``Listing`` (``AsyncListing`` for asyncio) that fetches pages lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypedDict, TypeVar

from gridledger.energy.answers import ResponseFormatError, read_each
from gridledger_domain.records.fields import JsonObject
from gridledger_domain.refusals import InvalidRequest

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class ListingOptions(TypedDict, total=False):
    """The keywords every listing call takes: ``page_size`` (1 to ``MAX_PAGE_SIZE``, default
    ``DEFAULT_PAGE_SIZE``), ``limit`` (at most this many items; None: all) and ``timeout``
    (seconds, each page's call)."""

    page_size: int
    limit: int | None
    timeout: float | None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the bookmark to ask for the next (empty: this is the last)."""

    items: list[T]
    bookmark: str

    @property
    def last(self) -> bool:
        return not self.bookmark


def check_page_size(page_size: int) -> int:
    if type(page_size) is not int or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"page size must be 1 to {MAX_PAGE_SIZE}, got {page_size!r}")
    return page_size


def check_limit(limit: int | None) -> int | None:
    if limit is not None and (type(limit) is not int or limit < 0):
        raise InvalidRequest(f"limit must be an integer 0 or more, got {limit!r}")
    return limit


def read_page(decode: Callable[[JsonObject], T], value: Any, what: str) -> Page[T]:
    """A page answer (parsed JSON) whose items ``decode`` reads."""
    if not isinstance(value, dict):
        raise ResponseFormatError(f"{what}: expected a page (a JSON object)")
    bookmark = value.get("bookmark")
    if not isinstance(bookmark, str):
        raise ResponseFormatError(f"{what}: the page has no bookmark")
    return Page(read_each(decode, value.get("items"), what), bookmark)
