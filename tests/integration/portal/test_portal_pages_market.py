"""Buying on the market page and the producer page, in real headless Chromium (Debian's
``/usr/bin/chromium`` driven by Playwright) against the devnet: two users in two browser
contexts, the buyer buys from the market page and sees the transaction id and its commit, the
seller's producer page shows the sale and both users' market pages the new remaining energy
within 2 s without a reload; a page request without the session's CSRF token is refused and
changes nothing; a read-scope token cannot buy, a trade-scope token can; certificates issued
and transferred, paged; the Chinese pages with no English left. A screenshot of each page is
saved under the test's tmp path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from gridledger.energy import EnergyClient, MeterSigner, Role
from gridledger_domain import format_utc, parse_utc
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS
from gridledger_portal.web import i18n
from harness.devnet import OPERATOR, PROSUMER
from playwright.sync_api import Browser, BrowserContext, Page, expect

from . import test_portal_browser as browser_tests
from .conftest import TODAY, Site, buy_as, market_instant, post_offer, problem_of
from .test_portal_browser import (
    LIVE_TIMEOUT_MS,
    PAGE_TIMEOUT_MS,
    offer_row,
    open_market,
    screenshot,
    sign_in,
    untranslated,
    watch_console,
)

pytestmark = pytest.mark.integration

browser = browser_tests.browser  # the fixtures: Debian's chromium, a context per test
context = browser_tests.context

TRANSACTION = re.compile(r"^[0-9a-f]{64}$")
YESTERDAY = TODAY - DAY_SECONDS  # the certificates' day: solar's meter reports it


@contextmanager
def browsers(browser: Browser, count: int, locale: str) -> Iterator[list[BrowserContext]]:
    """``count`` users' browsers (their own cookies) in ``locale``."""
    opened = [browser.new_context(locale=locale) for _ in range(count)]
    try:
        for each in opened:
            each.set_default_timeout(PAGE_TIMEOUT_MS)
        yield opened
    finally:
        for each in opened:
            each.close()


def open_producer(site: Site, page: Page, interval: str, lang: str = "") -> None:
    query = f"?interval={interval[:16]}" + (f"&lang={lang}" if lang else "")
    answer = page.goto(f"{site.base_url}/producer{query}")
    assert answer is not None and answer.status == 200
    assert "unsafe-inline" not in answer.headers["content-security-policy"]
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def remaining_cell(page: Page, offer: dict[str, Any]) -> Any:
    return offer_row(page, offer).locator("td").nth(3)


def buy_on_page(page: Page, offer: dict[str, Any], quantity: int | None, default: str) -> str:
    """Buy from ``offer``'s row (``quantity`` Wh, None: the default, which must be
    ``default``): the transaction id the page shows once committed."""
    offer_row(page, offer).locator("button.buy").click()
    field = page.locator("#buy-quantity")
    expect(field).to_have_value(default)
    if quantity is not None:
        field.fill(str(quantity))
    page.locator("#buy-review").click()
    expect(page.locator("#buy-confirmation")).to_be_visible()
    expect(page.locator("#buy-confirm-quantity")).to_have_text(f"{quantity or int(default):,}")
    page.locator("#buy-confirm").click()
    expect(page.locator("#buy-result")).to_be_visible()
    transaction = page.locator("#buy-transaction").inner_text()
    assert TRANSACTION.match(transaction), transaction
    expect(page.locator("#buy-block")).to_have_attribute("data-state", "known")
    expect(page.locator("#buy-block")).to_have_text(re.compile(r"^\d+$"))
    return transaction


def fetch_status(page: Page, path: str, body: str, headers: dict[str, str]) -> Any:
    """POST ``body`` to ``path`` from the page (its cookies): status and the answer text."""
    return page.evaluate(
        """async ([path, body, headers]) => {
            const answer = await fetch(path, {method: "POST", body, headers});
            return [answer.status, await answer.text()];
        }""",
        [path, body, headers],
    )


def test_buying_on_the_market_page_updates_every_open_page_live(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    with browsers(browser, 2, "en-GB") as (first, second):
        buying_updates_every_open_page(site, first, second, tmp_path)


def buying_updates_every_open_page(
    site: Site, context: BrowserContext, second: BrowserContext, tmp_path: Path
) -> None:
    quarter = 10
    offer = post_offer(site, 900, 1_500, quarter)
    buyer = context.new_page()
    buyer_errors = watch_console(buyer)
    sign_in(site, buyer, "dave")
    open_market(site, buyer, quarter)
    seller_market = second.new_page()
    seller_errors = watch_console(seller_market)
    sign_in(site, seller_market, "solar")
    open_market(site, seller_market, quarter)
    seller = second.new_page()
    producer_errors = watch_console(seller)
    open_producer(site, seller, market_instant(quarter))
    expect(seller.locator(f'#my-offers tr[data-offer-id="{offer["offer_id"]}"]')).to_have_count(1)
    screenshot(seller, tmp_path, "producer-before-sale")
    for page in (buyer, seller_market, seller):
        page.evaluate("window.sameDocument = 'yes'")  # gone if the page were reloaded

    transaction = buy_on_page(buyer, offer, 250, "900")
    expect(buyer.locator("#buy-status")).to_have_text(i18n.CATALOGUE["buy.committed"]["en"])
    screenshot(buyer, tmp_path, "market-bought")
    for page in (buyer, seller_market):
        expect(remaining_cell(page, offer)).to_have_text("650", timeout=LIVE_TIMEOUT_MS)
    sale = seller.locator(f'#sales tr[data-transaction-id="{transaction}"]')
    expect(sale.locator("td")).to_have_text(
        [transaction, offer["offer_id"], site.ids["dave"], "250", "1", "0.1500"],
        timeout=LIVE_TIMEOUT_MS,
    )
    mine = seller.locator(f'#my-offers tr[data-offer-id="{offer["offer_id"]}"] td.remaining')
    expect(mine).to_have_text("650", timeout=LIVE_TIMEOUT_MS)
    screenshot(seller, tmp_path, "producer-sale-live")
    screenshot(seller_market, tmp_path, "market-seller-after-sale")
    client, _ = site.signed_in("dave")
    with client:
        assert client.get(f"/offers/{offer['offer_id']}").json()["remaining_wh"] == 650

    # buying what remains (the default) sells the offer out: it leaves every board
    buy_on_page(buyer, offer, None, "650")
    for page in (buyer, seller_market):
        expect(offer_row(page, offer)).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(mine).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(seller.locator("#sales tbody tr.fresh")).to_have_count(2)
    for page in (buyer, seller_market, seller):
        assert page.evaluate("window.sameDocument") == "yes"
    # the sales are the ledger's: a fresh producer page lists them from the trades
    open_producer(site, seller, market_instant(quarter))
    expect(seller.locator(f'#sales tr[data-transaction-id="{transaction}"]')).to_have_count(1)
    assert buyer_errors == [] and seller_errors == [] and producer_errors == []


def test_a_page_request_without_the_csrf_token_is_refused_and_changes_nothing(
    site: Site, context: BrowserContext, tmp_path: Path
) -> None:
    quarter = 20
    offer = post_offer(site, 400, 1_000, quarter)
    page = context.new_page()
    sign_in(site, page, "solar")
    open_producer(site, page, market_instant(quarter))
    row = page.locator(f'#my-offers tr[data-offer-id="{offer["offer_id"]}"]')
    expect(row).to_have_count(1)
    path = f"/producer/offers/{offer['offer_id']}/withdraw"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for body in ("", "csrf_token=not-the-token"):
        status, text = fetch_status(page, path, body, form)
        assert status == 403, text
        assert "/api/v1/problems/csrf" in text
    # a purchase from the page's script without the header is refused too
    json_body = {"Content-Type": "application/json"}
    status, _ = fetch_status(page, f"/api/v1/offers/{offer['offer_id']}/buy", "{}", json_body)
    assert status == 403
    client, _ = site.signed_in("solar")
    with client:
        assert client.get(f"/offers/{offer['offer_id']}").json()["status"] == "open"
    page.reload()
    expect(row).to_have_count(1)

    row.locator("form.withdraw button").click()  # the form carries the session's token
    expect(page.locator("#withdrawn")).to_be_visible()
    expect(page.locator("#withdrawn .id")).to_have_text(TRANSACTION)
    expect(row).to_have_count(0)
    screenshot(page, tmp_path, "producer-withdrawn")
    client, _ = site.signed_in("solar")
    with client:
        assert client.get(f"/offers/{offer['offer_id']}").json()["status"] == "withdrawn"


def test_a_read_scope_token_cannot_buy_and_a_trade_scope_token_can(
    site: Site, context: BrowserContext
) -> None:
    quarter = 30
    offer = post_offer(site, 500, 800, quarter)
    page = context.new_page()
    sign_in(site, page, "dave")
    open_market(site, page, quarter)
    csrf = page.locator("#buy-csrf").input_value()
    tokens = {}
    for scope in ("read", "trade"):
        status, text = fetch_status(
            page,
            "/api/v1/tokens",
            f'{{"label": "{scope} app", "scope": "{scope}"}}',
            {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        )
        assert status == 201, text
        tokens[scope] = re.search(r'"token":"([^"]+)"', text).group(1)  # type: ignore[union-attr]
    path = f"/offers/{offer['offer_id']}/buy"
    with site.client(Authorization=f"Bearer {tokens['read']}") as reader:
        problem = problem_of(reader.post(path, json={"quantity_wh": 100}), 403)
        assert problem["type"].endswith("/insufficient-scope")
        assert reader.get(f"/offers/{offer['offer_id']}").json()["remaining_wh"] == 500
    expect(remaining_cell(page, offer)).to_have_text("500")
    with site.client(Authorization=f"Bearer {tokens['trade']}") as trader:
        bought = trader.post(path, json={"quantity_wh": 100})
        assert bought.status_code == 201, bought.text
        assert TRANSACTION.match(bought.json()["transaction_id"])
    # a purchase by a machine client shows on the open page as well
    expect(remaining_cell(page, offer)).to_have_text("400", timeout=LIVE_TIMEOUT_MS)


def test_the_producer_page_pages_certificates_issued_and_transferred(
    site: Site, context: BrowserContext, tmp_path: Path
) -> None:
    start = YESTERDAY + 40 * INTERVAL_SECONDS
    # solar's offer for one interval of yesterday, bought in full by dave (the typed client)
    with EnergyClient.connect(site.network.profile, OPERATOR, "city-solar") as solar:
        offer = solar.post_offer(site.meters["solar"], start, 1, 1_000, 1_200)
    with EnergyClient.connect(site.network.profile, OPERATOR, "dave") as dave:
        dave.buy(offer.offer_id, 1_000)
    # 22 intervals of production, 1,000 Wh each: 22 certificates, the first sold in full
    signer = site.signers["solar"]
    site.utility.submit_readings(
        [signer.sign(start + i * INTERVAL_SECONDS, 0, 1_000 * i) for i in range(23)]
    )
    page = context.new_page()
    errors = watch_console(page)
    sign_in(site, page, "solar")
    open_producer(site, page, format_utc(start))
    rows = page.locator("#certificates tbody tr")
    expect(rows).to_have_count(20)
    first = page.locator(
        f'#certificates tr[data-certificate-id="{site.meters["solar"]}:{start}"] td'
    )
    expect(first).to_have_text(
        [
            f"{site.meters['solar']}:{start}",
            i18n.interval_text(start, "en"),
            "Solar",
            "1,000",
            "1,000",
            i18n.CATALOGUE["certificate.transferred"]["en"],
        ]
    )
    expect(rows.nth(1).locator("td").nth(5)).to_have_text(
        i18n.CATALOGUE["certificate.active"]["en"]
    )
    screenshot(page, tmp_path, "producer-certificates")
    page.locator("#certificates-next").click()
    expect(rows).to_have_count(2)
    expect(page.locator("#certificates-next")).to_have_count(0)
    page.locator("#certificates-first").click()
    expect(rows).to_have_count(20)
    assert errors == []


def ledger_ids(page: Page) -> set[str]:
    """The ids the producer page lists (transactions, offers, buyers, certificates)."""
    return set(page.locator("#sales td.id, #certificates td.id").all_inner_texts())


def test_the_chinese_market_and_producer_pages_have_no_english_left(
    site: Site,
    browser: Browser,
    tmp_path: Path,
) -> None:
    quarter = 50
    offer = post_offer(site, 600, 1_000, quarter)
    label = i18n.interval_text(parse_utc(market_instant(quarter)), "zh")
    with browsers(browser, 2, "zh-CN") as (first, second):  # Accept-Language: zh-CN
        buyer, seller = first.new_page(), second.new_page()
        buyer_errors, seller_errors = watch_console(buyer), watch_console(seller)
        sign_in(site, buyer, "dave")
        open_market(site, buyer, quarter)
        sign_in(site, seller, "solar")
        open_producer(site, seller, market_instant(quarter))
        data = {offer["offer_id"], "south", "dave", "solar"}
        assert untranslated(buyer, data, label) == []
        assert untranslated(seller, data | ledger_ids(seller), label) == []
        expect(offer_row(buyer, offer).locator("button.buy")).to_have_text("购买")
        transaction = buy_on_page(buyer, offer, 100, "600")
        expect(buyer.locator("#buy-status")).to_have_text(i18n.CATALOGUE["buy.committed"]["zh"])
        expect(remaining_cell(buyer, offer)).to_have_text("500", timeout=LIVE_TIMEOUT_MS)
        expect(seller.locator(f'#sales tr[data-transaction-id="{transaction}"]')).to_have_count(
            1, timeout=LIVE_TIMEOUT_MS
        )
        data |= {transaction, site.ids["dave"]}
        assert untranslated(buyer, data, label) == []
        screenshot(buyer, tmp_path, "market-bought-zh")
        # the sales listed from the ledger, and the certificates' intervals, in Chinese too
        open_producer(site, seller, market_instant(quarter), lang="zh")
        expect(seller.locator("#certificates tbody tr").first).to_be_visible()
        assert untranslated(seller, data | ledger_ids(seller), label) == []
        screenshot(seller, tmp_path, "producer-zh")
        assert buyer_errors == [] and seller_errors == []


@pytest.fixture(scope="module")
def wind(site: Site) -> Iterator[EnergyClient]:
    """``wind-farm`` (ProsumerMSP), a producer in zone north with a wind meter: its client."""
    client = EnergyClient.connect(site.network.profile, PROSUMER, "wind-farm")
    try:
        me = client.whoami()
        site.utility.register_participant(me, Role.PRODUCER, zone="north", display_name="Wind")
        signer = MeterSigner.simulated(WIND_METER, seed=f"portal {WIND_METER}")
        site.utility.register_meter(
            WIND_METER, me.participant_id, "production", "wind", "north", signer.public_key_pem
        )
        yield client
    finally:
        client.close()


WIND_METER = "PORTAL-WIND"


def post_wind(wind: EnergyClient, quantity: int, price: int, quarter: int) -> str:
    start = parse_utc(market_instant(quarter))
    return wind.post_offer(WIND_METER, start, 1, quantity, price).offer_id


def open_board(site: Site, page: Page, quarter: int, **query: str) -> None:
    """The market page of ``quarter`` with ``query`` (filters, order, language), live."""
    answer = page.goto(
        f"{site.base_url}/market?" + urlencode({"interval": market_instant(quarter)[:16], **query})
    )
    assert answer is not None and answer.status == 200
    assert "unsafe-inline" not in answer.headers["content-security-policy"]
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def expect_order(page: Page, *offers: dict[str, Any]) -> None:
    """The board shows ``offers`` in this order (live changes: within 2 s)."""
    rows = page.locator("#offers tbody tr")
    expect(rows).to_have_count(len(offers), timeout=LIVE_TIMEOUT_MS)
    for index, offer in enumerate(offers):
        expect(rows.nth(index)).to_have_attribute(
            "data-offer-id", offer["offer_id"], timeout=LIVE_TIMEOUT_MS
        )


def test_the_board_filtered_and_sorted_stays_so_live(
    site: Site, wind: EnergyClient, context: BrowserContext, tmp_path: Path
) -> None:
    quarter = 80
    cheap = post_offer(site, 900, 1_100, quarter)
    dear = post_offer(site, 400, 1_500, quarter)
    standing_wind = post_wind(wind, 800, 1_000, quarter)  # cheapest of all, another source
    page = context.new_page()
    errors = watch_console(page)
    sign_in(site, page, "dave")
    open_board(site, page, quarter, source="solar")
    expect_order(page, cheap, dear)
    ordered = page.locator("#offers tbody tr")
    expect(page.locator("#offers tbody td:nth-child(2)")).to_have_text(["Solar", "Solar"])
    expect(page.locator("#filter-source")).to_have_value("solar")
    expect(page.locator("#sort-state")).to_have_text(
        i18n.CATALOGUE["market.sorted.price.asc"]["en"]
    )
    page.evaluate("window.sameDocument = 'yes'")  # gone if the page were reloaded

    # another user's wind offer is not shown; a solar one is, at its sorted place, within 2 s
    live_wind = post_wind(wind, 500, 1_200, quarter)
    middle = post_offer(site, 600, 1_300, quarter)
    expect_order(page, cheap, middle, dear)
    for hidden in (standing_wind, live_wind):  # their events came before the solar one's
        expect(page.locator(f'#offers tr[data-offer-id="{hidden}"]')).to_have_count(0)
    assert page.evaluate("window.sameDocument") == "yes"
    screenshot(page, tmp_path, "market-filtered-solar")

    # the price heading sorts dearest first, the filter kept; a live offer goes to its place
    page.locator("#sort-price").click()
    expect(page).to_have_url(re.compile(r"sort=price&order=desc"))
    expect(page).to_have_url(re.compile(r"source=solar"))
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.locator("#offers th[aria-sort=descending] a")).to_have_id("sort-price")
    expect(page.locator("#filter-source")).to_have_value("solar")
    expect_order(page, dear, middle, cheap)
    page.evaluate("window.sameDocument = 'yes'")
    fourth = post_offer(site, 700, 1_400, quarter)
    expect_order(page, dear, fourth, middle, cheap)
    screenshot(page, tmp_path, "market-price-descending")

    # most remaining first; a purchase moves the row it changed (ties: cheapest first)
    page.locator("#sort-remaining").click()
    expect(page).to_have_url(re.compile(r"sort=remaining&order=desc"))
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    page.evaluate("window.sameDocument = 'yes'")
    expect_order(page, cheap, fourth, middle, dear)  # 900, 700, 600, 400
    buy_as(site, "dave", cheap["offer_id"], 500)
    expect_order(page, fourth, middle, cheap, dear)  # 700, 600, 400, 400
    assert page.evaluate("window.sameDocument") == "yes"

    # the zone filter, all sources: only north's (wind) offers, in the order kept
    page.locator("#filter-source").select_option("")
    page.locator("#filter-zone").fill("north")
    page.locator("#filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"zone=north"))
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect_order(page, {"offer_id": standing_wind}, {"offer_id": live_wind})
    page.locator("#filters-clear").click()
    expect(ordered).to_have_count(6)
    assert errors == []


def test_the_filtered_chinese_board_has_no_english_left(
    site: Site, wind: EnergyClient, browser: Browser, tmp_path: Path
) -> None:
    quarter = 90
    label = i18n.interval_text(parse_utc(market_instant(quarter)), "zh")
    solar, windy = (
        post_offer(site, 300, 1_000, quarter)["offer_id"],
        post_wind(wind, 300, 900, quarter),
    )
    with browsers(browser, 1, "zh-CN") as (opened,):
        page = opened.new_page()
        errors = watch_console(page)
        sign_in(site, page, "dave")
        open_board(site, page, quarter, source="wind", sort="remaining")
        expect(page.locator(f'#offers tr[data-offer-id="{windy}"] td').nth(1)).to_have_text("风能")
        expect(page.locator(f'#offers tr[data-offer-id="{solar}"]')).to_have_count(0)
        expect(page.locator("#filters-clear")).to_have_text("清除筛选")
        assert untranslated(page, {windy, "north", "dave"}, label) == []
        screenshot(page, tmp_path, "market-filtered-zh")
        open_board(site, page, quarter, source="nuclear", zone="north", lang="zh")
        expect(page.locator("#no-offers")).to_have_text(
            i18n.CATALOGUE["market.empty_filtered"]["zh"]
        )
        assert untranslated(page, {"dave"}, label) == []
        assert errors == []
