"""Paged listings on the in-memory ledger: pages, bookmarks, the page size limit, and
ListOffers reading only the open-offer index entries of the interval's day."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

import pytest
from gridledger_chaincode.energy.ledger.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from gridledger_chaincode.energy.ledger.state import OFFER, OPEN_OFFER
from gridledger_chaincode.shim import keys
from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.testing import InMemoryStub
from gridledger_domain import MeterReading, format_utc, sign
from test_energy_contract import (
    DAY,
    DAY0,
    NEXT_DAY,
    Q,
    World,
    market_day,
    pid,
    world,
)

__all__ = ["world"]  # the fixture, used by name


def all_pages(
    w: World, who: ClientIdentity, function: str, args: Sequence[str], size: int
) -> tuple[list[Any], int]:
    """Every item of a listing read ``size`` at a time, and the number of pages."""
    items: list[Any] = []
    bookmark, pages = "", 0
    while True:
        page = w.ok(who, function, *args, str(size), bookmark)
        pages += 1
        assert page["count"] == len(page["items"]) <= size
        items.extend(page["items"])
        bookmark = page["bookmark"]
        if not bookmark:
            return items, pages


@pytest.mark.parametrize(
    ("who", "function", "args", "size"),
    [
        ("utility", "ListParticipants", [], 3),
        ("utility", "ListTariffs", [], 1),
        ("alice", "ListTrades", ["{alice}"], 3),
        ("solarco", "ListCertificates", ["{solarco}"], 7),
        ("utility", "GetReadings", ["M-ALICE", DAY, NEXT_DAY], 10),
        ("utility", "GetReadings", ["M-ALICE", "2025-06-01T05:00:00Z", NEXT_DAY], 50),
        ("stranger", "ListOffers", ["2025-06-01T11:00:00Z", "", ""], 1),
    ],
)
def test_paging_through_every_listing_gives_what_one_page_gives(
    world: World, who: str, function: str, args: list[str], size: int
) -> None:
    market_day(world)
    world.ok(world.utility, "SetTariff", {**tariff(world), "version": 2})
    for price in ("130000", "110000", "120000"):
        world.ok(world.bob, "PostOffer", "M-BOB", "2025-06-01T11:00:00Z", "2", "10", price)
    caller = getattr(world, who)
    resolved = [a.format(alice=pid(world.alice), solarco=pid(world.solarco)) for a in args]
    whole = world.ok(caller, function, *resolved)
    assert whole["bookmark"] == "" and whole["count"] == len(whole["items"])
    paged, pages = all_pages(world, caller, function, resolved, size)
    assert paged == whole["items"]
    assert pages > 1


def tariff(w: World) -> dict[str, Any]:
    listed: dict[str, Any] = w.ok(w.stranger, "ListTariffs")["items"][0]
    return {**listed, "effective_from": "2025-07-01T00:00:00Z"}


def test_bills_are_listed_by_period_page_by_page(world: World) -> None:
    market_day(world)
    later = [
        sign(MeterReading("M-ALICE", DAY0 + step * Q, 400 * step, 0), world.keys["M-ALICE"])
        for step in range(97, 3 * 96 + 1)
    ]
    world.ok(world.utility, "SubmitReadings", [r.to_json_dict() for r in later])
    alice = pid(world.alice)
    days = [format_utc(DAY0 + n * 86400) for n in range(4)]
    bills = [world.settle(alice, a, b) for a, b in pairwise(days)]
    paged, pages = all_pages(world, world.alice, "ListBills", [alice], 2)
    assert [b["bill_id"] for b in paged] == [b["bill_id"] for b in bills] and pages == 2
    denied = world.call(world.bob, "ListBills", alice)
    assert denied.message.startswith("access denied:")


def test_the_page_size_is_bounded_and_defaults(world: World) -> None:
    for size in ("0", "-1", str(MAX_PAGE_SIZE + 1), "ten"):
        refused = world.call(world.utility, "ListParticipants", size, "")
        assert refused.message.startswith("invalid: page size"), refused.message
    assert world.ok(world.utility, "ListParticipants", str(MAX_PAGE_SIZE), "")["count"] == 4
    assert world.ok(world.utility, "ListParticipants", "", "")["count"] == 4
    extra = world.call(world.utility, "ListParticipants", "1", "", "more")
    assert extra.message.startswith("invalid:")
    assert DEFAULT_PAGE_SIZE <= MAX_PAGE_SIZE


def test_a_reading_bookmark_of_another_range_is_refused(world: World) -> None:
    refused = world.call(world.utility, "GetReadings", "M-ALICE", DAY, NEXT_DAY, "5", "99:x")
    assert refused.message.startswith("invalid: not a bookmark"), refused.message


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every key the contract reads (point reads and range results)."""
    seen: list[str] = []
    get_state, ranged = InMemoryStub.get_state, InMemoryStub._range

    def counting_get(self: InMemoryStub, key: str) -> bytes:
        seen.append(key)
        return get_state(self, key)

    def counting_range(self: InMemoryStub, *args: Any) -> Any:
        iterator, metadata = ranged(self, *args)
        listed = list(iterator)
        seen.extend(kv.key for kv in listed)
        return type(iterator)(listed), metadata

    monkeypatch.setattr(InMemoryStub, "get_state", counting_get)
    monkeypatch.setattr(InMemoryStub, "_range", counting_range)
    yield seen


def test_list_offers_reads_only_the_open_offers_of_the_interval_day(
    world: World, reads: list[str]
) -> None:
    for day in range(1, 6):  # offers on five other days
        at = f"2025-06-{day + 1:02d}T10:00:00Z"
        world.ok(world.solarco, "PostOffer", "M-SOLAR", at, "4", "1000", "90000")
    wanted = [
        world.ok(world.bob, "PostOffer", "M-BOB", "2025-06-01T10:00:00Z", "4", "10", price)
        for price in ("150000", "90000")
    ]
    gone = world.ok(world.solarco, "PostOffer", "M-SOLAR", "2025-06-01T10:00:00Z", "4", "9", "1")
    world.ok(world.alice, "Buy", gone["offer_id"], "9")  # bought out: leaves the index
    reads.clear()
    listed = world.items(world.stranger, "ListOffers", "2025-06-01T10:15:00Z", "", "")
    assert [o["offer_id"] for o in listed] == [wanted[1]["offer_id"], wanted[0]["offer_id"]]
    offer_reads = [k for k in reads if keys.split_composite_key(k)[0] in (OFFER, OPEN_OFFER)]
    index = [keys.split_composite_key(k) for k in offer_reads if OPEN_OFFER in k]
    assert {parts[0] for _, parts in index} == {"2025-06-01T00:00:00Z"} and len(index) == 2
    assert len(offer_reads) == 4  # two index entries, two offers


def test_a_withdrawn_offer_leaves_the_index_and_a_week_long_offer_is_indexed_per_day(
    world: World,
) -> None:
    week = world.ok(world.bob, "PostOffer", "M-BOB", "2025-06-01T12:00:00Z", "672", "10", "5")
    entries = [k for k in world.ledger.state if keys.split_composite_key(k)[0] == OPEN_OFFER]
    assert len(entries) == 8  # 7 days from noon touch 8 UTC days
    for day in ("2025-06-01T12:00:00Z", "2025-06-08T11:45:00Z"):
        listed = world.items(world.stranger, "ListOffers", day, "", "")
        assert [o["offer_id"] for o in listed] == [week["offer_id"]]
    assert world.items(world.stranger, "ListOffers", "2025-06-01T11:45:00Z", "", "") == []
    world.ok(world.bob, "WithdrawOffer", week["offer_id"])
    assert not [k for k in world.ledger.state if keys.split_composite_key(k)[0] == OPEN_OFFER]
