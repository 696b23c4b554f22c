"""Paged listings: every listing function takes an optional page size and bookmark (trailing
arguments) and answers ``{"items": [...], "bookmark": "...", "count": N}``.

The page size is 1 to ``MAX_PAGE_SIZE`` (``DEFAULT_PAGE_SIZE`` when absent or empty); the
bookmark is the one the previous page answered (empty for the first page). An empty bookmark in
an answer means the last page. A page may hold fewer items than its size and still not be the
last one (``ListOffers`` passes over index entries that do not match its filters): keep asking
while the bookmark is not empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gridledger_domain.refusals import InvalidRequest

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class PageRequest:
    size: int
    bookmark: str


def page_request(arguments: Sequence[str]) -> PageRequest:
    """The page asked by a listing's optional trailing arguments ``[page size [, bookmark]]``."""
    if len(arguments) > 2:
        raise InvalidRequest("a listing takes at most two more arguments: page size, bookmark")
    size_text = arguments[0].strip() if arguments else ""
    bookmark = arguments[1] if len(arguments) > 1 else ""
    if not size_text:
        return PageRequest(DEFAULT_PAGE_SIZE, bookmark)
    try:
        size = int(size_text)
    except ValueError:
        raise InvalidRequest(f"page size must be an integer, got {size_text!r}") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"page size must be 1 to {MAX_PAGE_SIZE}, got {size}")
    return PageRequest(size, bookmark)


def page_answer(items: list[Any], bookmark: str) -> dict[str, Any]:
    return {"items": items, "bookmark": bookmark, "count": len(items)}
