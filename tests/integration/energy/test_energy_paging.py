"""Paged listings on a devnet of their own: every listing read a few items at a time gives what
one large page gives, bookmarks round-trip, the page size is bounded, ``limit=`` stops early,
the asyncio client pages with ``async for``, and the CLI's ``--limit`` and ``--all``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from gridledger.cli.main import app
from gridledger.energy import (
    AsyncEnergyClient,
    EnergyClient,
    MeterSigner,
    Role,
)
from gridledger.energy._sync.listing import Listing
from gridledger.gateway import GatewayError
from gridledger_domain import parse_utc
from gridledger_domain.refusals import InvalidRequest
from harness.devnet import OPERATOR, PROSUMER, TestNetwork, running_test_network
from typer.testing import CliRunner

from .conftest import tariff_v1

pytestmark = pytest.mark.integration

DAY = "2025-08-01"
NEXT = "2025-08-02"
LAST = "2025-08-03"
NOON = "2025-08-01T12:00:00Z"
START, END = f"{DAY}T00:00:00Z", f"{LAST}T00:00:00Z"


@dataclass
class Ledger:
    network: TestNetwork
    utility: EnergyClient
    bob: str
    farm: str


def cli(ledger: Ledger, *args: str) -> str:
    """``gridledger energy ARGS`` as the utility; its output (exit status 0)."""
    profile = str(ledger.network.network_json)
    command = ["energy", *args, "--profile", profile, "--org", OPERATOR, "--user", "utility"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    home = tmp_path_factory.mktemp("paging") / ".devnet"
    users = ((OPERATOR, "utility"), (PROSUMER, "bob"), (PROSUMER, "solar-farm"))
    with running_test_network(home, with_node_chaincode=False) as network, ExitStack() as stack:
        utility, bob, farm = (
            stack.enter_context(EnergyClient.connect(network.profile, org, user))
            for org, user in users
        )
        first = tariff_v1()
        later = {**first.to_json_dict(), "version": 2, "effective_from": "2026-01-01T00:00:00Z"}
        for tariff in (first, type(first).from_json_dict(later)):
            utility.set_tariff(tariff)
        ids = []
        for client, role in ((bob, Role.CONSUMER), (farm, Role.PRODUCER)):
            me = client.whoami()
            ids.append(me.participant_id)
            utility.register_participant(me, role, zone="north", display_name=role.value)
            client.refresh_whoami()
        bob_id, farm_id = ids
        house = MeterSigner.simulated("PG-HOME", seed="paging home")
        utility.register_meter(
            "PG-HOME", bob_id, "consumption", "grid", "north", house.public_key_pem
        )
        panels = [MeterSigner.simulated(f"PG-PV{n}", seed=f"paging pv {n}") for n in range(3)]
        for panel in panels:
            utility.register_meter(
                panel.meter_id, farm_id, "production", "solar", "north", panel.public_key_pem
            )
        for price in (97_000, 95_000, 99_000, 96_000, 98_000):
            offer = farm.post_offer("PG-PV0", parse_utc(NOON), 4, 200, price)
        bob.buy(offer.offer_id, 100)  # 4 trades
        utility.submit_readings(house.sign_series(START, [(100 * i, 0) for i in range(2 * 96 + 1)]))
        utility.submit_readings(  # 96 certificates
            panels[0].sign_series(START, [(0, 10 * i) for i in range(97)])
        )
        utility.settle(bob_id, START, f"{NEXT}T00:00:00Z")
        utility.settle(bob_id, f"{NEXT}T00:00:00Z", END)
        yield Ledger(network, utility, bob_id, farm_id)


def read_pages(listing: Listing[Any]) -> tuple[list[Any], int]:
    """Every item, read page by page with bookmarks, and the number of pages."""
    items: list[Any] = []
    bookmark, pages = "", 0
    while True:
        page = listing.page(bookmark)
        pages += 1
        items.extend(page.items)
        if page.last:
            return items, pages
        bookmark = page.bookmark


LISTINGS: dict[str, tuple[Callable[[Ledger, int], Listing[Any]], int]] = {
    # listing with a page size, and how many items the ledger holds
    "participants": (lambda led, n: led.utility.participants(page_size=n), 2),
    "meters": (lambda led, n: led.utility.meters(led.farm, page_size=n), 3),
    "readings": (
        lambda led, n: led.utility.readings("PG-HOME", START, END, page_size=n),
        2 * 96 + 1,
    ),
    "offers": (lambda led, n: led.utility.list_offers(NOON, page_size=n), 5),
    "trades": (lambda led, n: led.utility.trades(led.bob, page_size=n), 4),
    "tariffs": (lambda led, n: led.utility.tariffs(page_size=n), 2),
    "bills": (lambda led, n: led.utility.bills(led.bob, page_size=n), 2),
    "certificates": (lambda led, n: led.utility.certificates(led.farm, page_size=n), 96),
}


@pytest.mark.parametrize("name", list(LISTINGS))
def test_every_listing_pages_through_more_than_one_page(ledger: Ledger, name: str) -> None:
    listing, held = LISTINGS[name]
    whole = listing(ledger, 1000).page()
    assert whole.last and len(whole.items) == held
    small = max(1, held // 3)
    items, pages = read_pages(listing(ledger, small))
    assert items == whole.items and pages > 1
    assert list(listing(ledger, small)) == whole.items  # the iterator fetches lazily, the same


def test_offers_stay_cheapest_first_across_pages(ledger: Ledger) -> None:
    prices = [offer.price for offer in ledger.utility.list_offers(NOON, page_size=2)]
    assert prices == [95_000, 96_000, 97_000, 98_000, 99_000]


def test_a_bookmark_round_trips(ledger: Ledger) -> None:
    every = ledger.utility.readings("PG-HOME", START, END).all()
    first = ledger.utility.readings("PG-HOME", START, END, page_size=90).page()
    second = ledger.utility.readings("PG-HOME", START, END).page(first.bookmark, page_size=90)
    assert first.items + second.items == every[:180]
    assert second.items[0].reading.interval_start == parse_utc(f"{DAY}T00:00:00Z") + 90 * 900


def test_the_page_size_is_bounded(ledger: Ledger) -> None:
    with pytest.raises(GatewayError) as refused:
        ledger.utility.contract.evaluate("ListTrades", ledger.bob, "1001", "")
    assert "invalid: page size must be 1 to 1000, got 1001" in str(refused.value)
    with pytest.raises(InvalidRequest):
        ledger.utility.trades(ledger.bob, page_size=1001)
    assert len(ledger.utility.trades(ledger.bob, page_size=1000).all()) == 4


def test_limit_stops_early(ledger: Ledger) -> None:
    listing = ledger.utility.certificates(ledger.farm, page_size=10, limit=25)
    assert len(list(listing)) == 25
    assert ledger.utility.certificates(ledger.farm, limit=0).all() == []


def test_the_asyncio_client_pages_with_async_for(ledger: Ledger) -> None:
    async def scenario() -> tuple[int, int]:
        async with AsyncEnergyClient.connect(
            ledger.network.profile, OPERATOR, "utility"
        ) as utility:
            count = 0
            async for _ in utility.readings("PG-HOME", START, END, page_size=50):
                count += 1
            awaited = await utility.certificates(ledger.farm, page_size=40)
            return count, len(awaited)

    assert asyncio.run(scenario()) == (2 * 96 + 1, 96)


def test_cli_limit_and_all(ledger: Ledger) -> None:
    limited = cli(ledger, "readings", "PG-HOME", "--from", DAY, "--to", LAST, "--limit", "5")
    assert "the first 5 shown" in limited and f"{DAY}T01:00:00Z" in limited
    assert f"{DAY}T01:15:00Z" not in limited
    default = cli(ledger, "certificates", ledger.farm)
    assert "the first 50 shown" in default
    everything = json.loads(cli(ledger, "certificates", ledger.farm, "--all", "--json"))
    assert len(everything) == 96
    first = json.loads(cli(ledger, "readings", "PG-HOME", "--from", DAY, "--to", LAST, "--json"))
    assert len(first) == 50
    every = cli(ledger, "readings", "PG-HOME", "--from", DAY, "--to", LAST, "--all")
    assert "shown" not in every and f"{LAST}T00:00:00Z" in every
    bills = cli(ledger, "bills", ledger.bob)
    assert f"{DAY}T00:00:00Z" in bills and f"{LAST}T00:00:00Z" in bills
    assert len(json.loads(cli(ledger, "bills", ledger.bob, "--json"))) == 2
