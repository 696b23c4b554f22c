"""The client's listings without a network: pages are fetched lazily, one call per page, with
the bookmark of the previous page, and ``limit`` stops early."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from gridledger.energy import AsyncEnergyClient, EnergyClient
from gridledger_domain.refusals import InvalidRequest

TARIFF = {
    "bands": [{"name": "flat", "price": 1, "start_minute": 0}],
    "currency": "EUR",
    "effective_from": "2025-01-01T00:00:00Z",
    "feed_in_price": 0,
    "fixed_fee_per_day": 0,
    "grid_fee": 0,
    "tax_rate_bp": 0,
}


@dataclass
class PagedContract:
    """Serves ``held`` tariff versions in pages; records every query's arguments."""

    held: int
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def answer(self, function: str, args: tuple[str, ...]) -> bytes:
        self.calls.append((function, *args))
        size, bookmark = int(args[-2]), args[-1]
        start = int(bookmark or 0)
        end = min(start + size, self.held)
        items = [{**TARIFF, "version": n + 1} for n in range(start, end)]
        page = {"items": items, "bookmark": str(end) if end < self.held else "", "count": 0}
        return json.dumps(page).encode()

    def evaluate(self, function: str, *args: str, timeout: float | None = None) -> bytes:
        return self.answer(function, args)


@dataclass
class AsyncPagedContract(PagedContract):
    async def evaluate(self, function: str, *args: str, timeout: float | None = None) -> bytes:
        return self.answer(function, args)


def test_pages_are_fetched_lazily_with_the_previous_bookmark() -> None:
    contract = PagedContract(held=7)
    client = EnergyClient(contract)  # type: ignore[arg-type]
    listing = client.tariffs(page_size=3)
    assert contract.calls == []
    iterator = iter(listing)
    assert next(iterator).version == 1
    assert contract.calls == [("ListTariffs", "3", "")]
    assert [t.version for t in iterator] == [2, 3, 4, 5, 6, 7]
    assert contract.calls[1:] == [("ListTariffs", "3", "3"), ("ListTariffs", "3", "6")]


def test_limit_stops_early_and_asks_no_more_than_it_needs() -> None:
    contract = PagedContract(held=100)
    client = EnergyClient(contract)  # type: ignore[arg-type]
    assert [t.version for t in client.tariffs(page_size=4, limit=6)] == [1, 2, 3, 4, 5, 6]
    assert contract.calls == [("ListTariffs", "4", ""), ("ListTariffs", "2", "4")]


def test_one_page_and_its_bookmark() -> None:
    client = EnergyClient(PagedContract(held=5))  # type: ignore[arg-type]
    first = client.tariffs(page_size=2).page()
    again = client.tariffs(page_size=2).page(first.bookmark)
    last = client.tariffs().page(again.bookmark, page_size=10)
    assert [t.version for t in first.items + again.items + last.items] == [1, 2, 3, 4, 5]
    assert not first.last and last.last


def test_page_size_and_limit_are_checked_before_any_call() -> None:
    contract = PagedContract(held=1)
    client = EnergyClient(contract)  # type: ignore[arg-type]
    for size in (0, 1001):
        with pytest.raises(InvalidRequest):
            client.tariffs(page_size=size)
    with pytest.raises(InvalidRequest):
        client.tariffs(limit=-1)
    assert contract.calls == []


def test_the_asyncio_listing_is_an_async_iterator_and_awaitable() -> None:
    contract = AsyncPagedContract(held=5)
    client = AsyncEnergyClient(contract)  # type: ignore[arg-type]

    async def scenario() -> tuple[list[int], list[Any]]:
        seen = [t.version async for t in client.tariffs(page_size=2)]
        return seen, await client.tariffs(limit=3)

    seen, awaited = asyncio.run(scenario())
    assert seen == [1, 2, 3, 4, 5] and [t.version for t in awaited] == [1, 2, 3]
