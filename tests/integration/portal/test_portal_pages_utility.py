"""The utility's page and the auditor's ledger explorer in real headless Chromium: the utility
sees the participants, a participant's meters and the settlement status; a purchase just made
shows in the explorer, in its block, VALID and endorsed by both organisations; a consumer is
refused both pages; the Chinese pages have no English left. A screenshot of each page is saved
under the test's tmp path."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from gridledger_domain import format_utc
from gridledger_domain.timeutil import DAY_SECONDS, day_of
from gridledger_portal.web import i18n
from harness.devnet import OPERATOR, PROSUMER
from playwright.sync_api import Browser, BrowserContext, Page, expect

from . import test_portal_browser as in_chromium
from .conftest import PEOPLE, Site, buy_as, post_offer
from .test_portal_browser import PAGE_TIMEOUT_MS, screenshot, sign_in, untranslated, watch_console

pytestmark = pytest.mark.integration

# the browser test module's fixtures: Debian's chromium, a fresh English context per test
browser = in_chromium.browser
context = in_chromium.context

EN = {key: texts["en"] for key, texts in i18n.CATALOGUE.items()}
HEX = re.compile(r"[0-9a-f]{64}")


def buy(site: Site, quarter: int) -> str:
    """dave buys from an offer of solar's; the purchase's transaction id."""
    offer = post_offer(site, 800, 1_500, quarter)
    return buy_as(site, "dave", offer["offer_id"], 200)


def open_page(site: Site, page: Page, path: str, status: int = 200) -> None:
    answer = page.goto(f"{site.base_url}{path}")
    assert answer is not None and answer.status == status
    assert "unsafe-inline" not in answer.headers["content-security-policy"]


def test_the_utility_sees_participants_meters_and_settlement_status(
    site: Site, context: BrowserContext, tmp_path: Path
) -> None:
    page = context.new_page()
    errors = watch_console(page)
    sign_in(site, page, "utility")
    page.locator("#nav-utility").click()
    expect(page).to_have_title(re.compile(EN["utility.title"]))
    for account in ("solar", "dave", "auditor"):
        row = page.locator(f'#participants tr[data-participant-id="{site.ids[account]}"]')
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(1)).to_have_text(account.title())
    role = PEOPLE["solar"][1]
    assert role is not None
    solar = page.locator(f'#participants tr[data-participant-id="{site.ids["solar"]}"]')
    expect(solar.locator("td").nth(2)).to_have_text(EN[f"role.{role.value}"])
    # billed participants only: the producer and the consumer, each with a status
    for account in ("solar", "dave"):
        status = page.locator(f'#progress tr[data-participant-id="{site.ids[account]}"]')
        expect(status).to_have_count(1)
        expect(status).to_have_attribute("data-closed", re.compile("yes|no"))
    expect(
        page.locator(f'#progress tr[data-participant-id="{site.ids["auditor"]}"]')
    ).to_have_count(0)
    screenshot(page, tmp_path, "utility")

    solar.locator("a.meters-link").click()
    meter = page.locator(f'#meter-table tr[data-meter-id="{site.meters["solar"]}"]')
    expect(meter).to_have_count(1)
    expect(meter.locator("td")).to_have_text(
        [
            site.meters["solar"],
            EN["meter_kind.production"],
            EN["source.solar"],
            "south",
            EN["meter_status.active"],
        ]
    )
    screenshot(page, tmp_path, "utility-meters")

    # a day the utility closed for solar (estimated: its meter reported nothing), not for dave
    day = day_of(int(time.time())) - 10 * DAY_SECONDS
    closing = site.utility.close_days(day, [site.ids["solar"]], estimate=True)
    assert [result.status.done for result in closing.results] == [True]
    page.locator("#first").fill(format_utc(day)[:10])
    page.locator("#last").fill(format_utc(day)[:10])
    page.locator("#settlement + p + form button[type=submit]").click()
    expect(page.locator("#period-label")).to_have_text(re.compile(format_utc(day)[:10]))
    closed = page.locator(f'#progress tr[data-participant-id="{site.ids["solar"]}"]')
    expect(closed).to_have_attribute("data-closed", "yes")
    expect(closed.locator("td").nth(1)).to_have_text("Solar")
    expect(closed.locator("td").nth(3)).to_have_text(EN["utility.closed"])
    still_open = page.locator(f'#progress tr[data-participant-id="{site.ids["dave"]}"]')
    expect(still_open).to_have_attribute("data-closed", "no")
    expect(still_open.locator("td").nth(4)).to_have_text(i18n.day_text(day, "en"))
    screenshot(page, tmp_path, "utility-settlement")
    assert errors == []


def test_the_explorer_shows_a_purchase_valid_and_endorsed_by_both_organisations(
    site: Site, context: BrowserContext, tmp_path: Path
) -> None:
    transaction_id = buy(site, 80)
    page = context.new_page()
    errors = watch_console(page)
    sign_in(site, page, "utility")
    page.locator("#nav-auditor").click()
    expect(page).to_have_title(re.compile(EN["auditor.title"]))
    expect(page.locator("#blocks tbody tr")).not_to_have_count(0)
    screenshot(page, tmp_path, "explorer-blocks")

    page.locator("#tx").fill(transaction_id)
    page.locator("form.interval button[type=submit]").click()
    expect(page.locator("#transaction-id")).to_have_text(transaction_id)
    code = page.locator("#transaction td.code")
    expect(code).to_have_attribute("data-code", "VALID")
    expect(code).to_have_text(EN["code.VALID"])
    endorsers = sorted(page.locator("#transaction .endorser").all_inner_texts())
    assert endorsers == sorted([OPERATOR, PROSUMER])
    screenshot(page, tmp_path, "explorer-transaction")
    block_number = page.locator("#transaction-block").inner_text()

    # the block: newest first on the list, and the purchase among its transactions
    page.locator("#transaction-block").click()
    expect(page.locator("#block-number")).to_have_text(block_number)
    row = page.locator(f'#transactions tr[data-transaction-id="{transaction_id}"]')
    expect(row).to_have_count(1)
    expect(row.locator("td.code")).to_have_attribute("data-code", "VALID")
    assert sorted(row.locator(".endorser").all_inner_texts()) == sorted([OPERATOR, PROSUMER])
    expect(row.locator("td").nth(4)).to_have_text(re.compile(r"Buy$"))
    screenshot(page, tmp_path, "explorer-block")

    open_page(site, page, "/auditor")
    numbers = [
        int(n)
        for n in page.locator("#blocks tbody tr").evaluate_all(
            "(rows) => rows.map((row) => row.dataset.block)"
        )
    ]
    assert numbers == sorted(numbers, reverse=True) and int(block_number) <= numbers[0]
    assert errors == []


def test_a_consumer_is_refused_and_an_auditor_may_explore(
    site: Site, context: BrowserContext, tmp_path: Path
) -> None:
    page = context.new_page()
    sign_in(site, page, "dave")
    open_page(site, page, "/utility", 403)
    expect(page.locator("#refused")).to_have_text(EN["forbidden.text"])
    screenshot(page, tmp_path, "utility-refused")
    open_page(site, page, "/auditor", 403)
    expect(page.locator("#refused")).to_have_text(EN["forbidden.text"])
    assert page.locator("#participants, #blocks").count() == 0

    auditor = context.browser.new_context(locale="en-GB") if context.browser else None
    assert auditor is not None
    try:
        other = auditor.new_page()
        other.set_default_timeout(PAGE_TIMEOUT_MS)
        sign_in(site, other, "auditor")
        open_page(site, other, "/auditor")
        expect(other.locator("#blocks tbody tr")).not_to_have_count(0)
        open_page(site, other, "/utility", 403)
    finally:
        auditor.close()


def test_the_chinese_utility_and_explorer_pages_have_no_english_left(
    site: Site,
    browser: Browser,
    tmp_path: Path,
) -> None:
    transaction_id = buy(site, 84)
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    today = i18n.day_text(day_of(int(time.time())), "zh")
    data: set[str] = {"utility", "south", OPERATOR, PROSUMER, transaction_id}
    data |= set(site.ids.values()) | set(site.meters.values())
    data |= {account.title() for account in PEOPLE}
    try:
        page = context.new_page()
        errors = watch_console(page)
        sign_in(site, page, "utility")
        open_page(site, page, "/utility")
        page.locator(
            f'#participants tr[data-participant-id="{site.ids["solar"]}"] a.meters-link'
        ).click()
        expect(page.locator("#meter-table tbody tr")).to_have_count(1)
        assert chinese_only(page, data, today) == []
        screenshot(page, tmp_path, "utility-zh")

        open_page(site, page, f"/auditor?tx={transaction_id}")
        expect(page.locator("#transaction td.code")).to_have_text(
            i18n.CATALOGUE["code.VALID"]["zh"]
        )
        functions = set(page.locator("#transaction [data-datum]").all_inner_texts())
        assert chinese_only(page, data | functions, today) == []
        screenshot(page, tmp_path, "explorer-transaction-zh")

        page.locator("#transaction-block").click()
        expect(
            page.locator(f'#transactions tr[data-transaction-id="{transaction_id}"]')
        ).to_have_count(1)
        others = set(page.locator("#transactions [data-datum]").all_inner_texts())
        assert chinese_only(page, data | others, today) == []
        screenshot(page, tmp_path, "explorer-block-zh")

        open_page(site, page, "/auditor")
        assert chinese_only(page, data, today) == []
        screenshot(page, tmp_path, "explorer-blocks-zh")
        assert errors == []
    finally:
        context.close()


def chinese_only(page: Page, data: set[str], *formatted: str) -> list[Any]:
    """``untranslated``, block hashes (hex) allowed as data."""
    return [
        found
        for found in untranslated(page, data, *formatted)
        if not (found.startswith("datum ") and HEX.fullmatch(found[7:-1]))
    ]
