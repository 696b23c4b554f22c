"""What the API's routers share: paging parameters and pages, instants in paths and queries,
records as JSON."""

from __future__ import annotations

import dataclasses
import enum
from typing import Annotated, Any, TypeVar

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from gridledger.energy._async.listing import AsyncListing
from gridledger.energy.paging import MAX_PAGE_SIZE
from gridledger_domain import format_utc, parse_utc
from pydantic import BaseModel, Field

T = TypeVar("T")

PageSize = Annotated[
    int,
    Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (the contract's page size)."),
]
Bookmark = Annotated[
    str,
    Query(max_length=4096, description="The previous page's bookmark (empty: the first page)."),
]


class PageOut(BaseModel):
    """One page of a listing; ``bookmark`` asks for the next (empty: this is the last)."""

    items: list[dict[str, Any]]
    bookmark: str = Field(description="Pass as ?bookmark= for the next page; empty at the end.")
    count: int


def as_json(value: Any) -> Any:
    """A record, a dataclass, an enum or a collection of them as JSON values."""
    if hasattr(value, "to_json_dict"):
        return value.to_json_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): as_json(item) for key, item in value.items()}
    return value


async def page_of(listing: AsyncListing[T], page_size: int, bookmark: str) -> PageOut:
    page = await listing.page(bookmark, page_size)
    items = [as_json(item) for item in page.items]
    return PageOut(items=items, bookmark=page.bookmark, count=len(items))


def instant(text: str, field: str) -> int:
    """``YYYY-MM-DD`` (its UTC midnight) or ``YYYY-MM-DDTHH:MM:SSZ`` as Unix seconds; else a
    422 naming ``field``."""
    spelled = f"{text}T00:00:00Z" if len(text) == 10 else text
    try:
        return parse_utc(spelled)
    except ValueError as error:
        raise RequestValidationError(
            [{"loc": tuple(field.split(".")), "msg": str(error), "type": "value_error"}]
        ) from None


def instant_text(seconds: int) -> str:
    return format_utc(seconds)
