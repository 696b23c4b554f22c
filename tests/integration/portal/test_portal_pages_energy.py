"""*My energy* and *My bills* in real headless Chromium: a consumer's day of readings as a chart
and a table whose total is the readings' sum, the same figures downloaded; a settled bill whose
lines sum to its total and whose verification on the ledger says identical, its print layout;
another user's bill and readings refused; the Chinese pages with no English left; a screenshot
of each page under the test's tmp path.

The fixture sets everything up with the typed client, as each person: ``dave``'s and
``solar``'s meters report the billed day, ``dave`` buys from ``solar`` in it, the utility
settles the day.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from gridledger.energy import EnergyClient
from gridledger_domain import format_utc
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS
from gridledger_portal.web import i18n
from harness.devnet import OPERATOR
from playwright.sync_api import Browser, BrowserContext, Page, expect

from . import test_portal_browser as browser_pages
from .conftest import BILLED_DAY, PEOPLE, Site
from .test_portal_browser import PAGE_TIMEOUT_MS, screenshot, sign_in, untranslated, watch_console

pytestmark = pytest.mark.integration
browser, context = browser_pages.browser, browser_pages.context  # the browser tests' fixtures

DAY = format_utc(BILLED_DAY)[:10]
NEXT_DAY = format_utc(BILLED_DAY + DAY_SECONDS)[:10]
PERIOD = f"{DAY}..{NEXT_DAY}"
INTERVALS = DAY_SECONDS // INTERVAL_SECONDS
BOUGHT_QUARTER = 40  # 10:00: dave buys 200 Wh of solar's energy and consumes 130


def consumed(quarter: int) -> int:
    """dave's consumption in the billed day's ``quarter`` (Wh)."""
    return 50 + quarter * 37 % 200


def produced(quarter: int) -> int:
    """solar's production in the billed day's ``quarter`` (Wh): the middle of the day."""
    return max(0, 48 - abs(quarter - 48)) * 9


@dataclass
class Billed:
    bill: dict[str, Any]
    consumption: int
    production: int


@pytest.fixture(scope="module")
def billed(site: Site) -> Billed:
    """dave's readings of the billed day (solar's too), a trade in it, and dave's bill."""
    for account, base, energy in (("dave", 10_000, consumed), ("solar", 500, produced)):
        signer, register = site.signers[account], base
        signed = []
        for quarter in range(INTERVALS + 1):
            at = BILLED_DAY + quarter * INTERVAL_SECONDS
            signed.append(
                signer.sign(at, register, 0) if account == "dave" else signer.sign(at, 0, register)
            )
            register += energy(quarter)
        site.utility.submit_readings(signed)
    bought_at = BILLED_DAY + BOUGHT_QUARTER * INTERVAL_SECONDS
    profile = site.network.profile
    with EnergyClient.connect(profile, OPERATOR, PEOPLE["solar"][0]) as solar:
        offer = solar.post_offer(site.meters["solar"], bought_at, 1, 300, 250_000)
    with EnergyClient.connect(profile, OPERATOR, PEOPLE["dave"][0]) as dave:
        dave.buy(offer.offer_id, 200)
    settled = site.utility.settle_period(site.ids["dave"], BILLED_DAY, BILLED_DAY + DAY_SECONDS)
    consumption = sum(consumed(quarter) for quarter in range(INTERVALS))
    production = sum(produced(quarter) for quarter in range(INTERVALS))
    return Billed(settled.bill.to_json_dict(), consumption, production)


def open_page(
    context: BrowserContext, site: Site, account: str, link: str
) -> tuple[Page, list[str]]:
    """A new page signed in as ``account``, gone to ``link`` (a nav link's id) from the
    market, and its console errors."""
    page = context.new_page()
    errors = watch_console(page)
    sign_in(site, page, account)
    page.locator(f"#nav-{link}").click()
    expect(page).to_have_url(re.compile(f"/{link}"))
    return page, errors


def goto(page: Page, url: str, status: int = 200) -> None:
    answer = page.goto(url)
    assert answer is not None and answer.status == status, answer and answer.status
    assert "unsafe-inline" not in answer.headers["content-security-policy"]


def amount(text: str) -> Decimal:
    """A money amount as the English page shows it (``-€1,234.56``)."""
    return Decimal(re.sub(r"[^0-9.\-]", "", text))


def test_my_energy_shows_the_days_chart_figures_and_total_and_downloads_them(
    site: Site, billed: Billed, context: BrowserContext, tmp_path: Path
) -> None:
    page, errors = open_page(context, site, "dave", "energy")
    goto(page, f"{site.base_url}/energy?day={DAY}")
    expect(page.locator("h1")).to_have_text(i18n.CATALOGUE["energy.title"]["en"])
    expect(page.locator("#energy-chart rect.bar.consumption")).to_have_count(INTERVALS)
    expect(page.locator("#energy-chart rect.bar.production")).to_have_count(0)
    expect(page.locator("#energy-table tbody tr")).to_have_count(INTERVALS)
    total = page.locator("#energy-total td.consumption")
    expect(total).to_have_text(f"{billed.consumption:,}")
    cells = page.locator("#energy-table tbody tr td:nth-child(2)").all_text_contents()
    assert sum(int(cell.replace(",", "")) for cell in cells) == billed.consumption
    screenshot(page, tmp_path, "energy-day")

    href = page.locator("#download-csv").get_attribute("href")
    assert href is not None
    exported = page.request.get(site.base_url + href)
    assert exported.ok and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text())))
    assert len(rows) == INTERVALS and {row["meter_id"] for row in rows} == {site.meters["dave"]}
    assert sum(int(row["consumption_wh"]) for row in rows) == billed.consumption
    href = page.locator("#download-json").get_attribute("href")
    assert href is not None
    document = page.request.get(site.base_url + href).json()
    assert sum(item["consumption_wh"] for item in document["intervals"]) == billed.consumption

    goto(page, f"{site.base_url}/energy?month={DAY[:7]}")
    day_row = page.locator("#energy-table tbody tr", has_text=DAY)
    expect(day_row.locator("td").nth(1)).to_have_text(f"{billed.consumption:,}")
    expect(page.locator("#energy-total td.consumption")).to_have_text(f"{billed.consumption:,}")
    screenshot(page, tmp_path, "energy-month")
    assert errors == []


def test_a_bill_page_sums_to_its_total_verifies_identical_and_prints_clean(
    site: Site, billed: Billed, context: BrowserContext, tmp_path: Path
) -> None:
    page, errors = open_page(context, site, "dave", "bills")
    screenshot(page, tmp_path, "bills")
    page.locator(f'#bills tr[data-period="{PERIOD}"] a').click()
    expect(page).to_have_url(re.compile(re.escape(f"/bills/{PERIOD}")))
    lines = page.locator("#bill-lines tbody tr.line")
    expect(lines).to_have_count(len(billed.bill["lines"]))
    kinds = [line.get_attribute("data-kind") for line in lines.all()]
    assert {"trade_purchase", "utility_energy", "grid_fee", "fixed_fee", "tax"} <= set(kinds)
    shown = [amount(text) for text in lines.locator("td.amount").all_text_contents()]
    total = amount(page.locator("#bill-total td").inner_text())
    assert sum(shown) == total == Decimal(billed.bill["total"]) / 100
    minor = [int(line.get_attribute("data-amount") or "") for line in lines.all()]
    assert sum(minor) == int(page.locator("#bill-total").get_attribute("data-amount") or "")
    expect(page.locator("#match-chart rect.bar.consumption")).to_have_count(24)
    expect(page.locator("#inputs-hash")).to_have_text(billed.bill["inputs_hash"])

    page.locator("#verify-form button").click()
    expect(page.locator("#verdict")).to_have_text(i18n.CATALOGUE["bill.identical"]["en"])
    expect(page.locator("#recomputed-hash")).to_have_text(billed.bill["inputs_hash"])
    screenshot(page, tmp_path, "bill-verified")

    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.locator("#verify-form")).to_be_hidden()
    expect(page.locator("#bill-total")).to_be_visible()
    screenshot(page, tmp_path, "bill-print")
    page.pdf(path=str(tmp_path / "bill.pdf"))
    assert errors == []


def test_another_users_bill_and_readings_are_refused(
    site: Site, billed: Billed, context: BrowserContext, tmp_path: Path
) -> None:
    page = context.new_page()
    sign_in(site, page, "solar")
    refused = i18n.CATALOGUE["refused.bill"]
    goto(page, f"{site.base_url}/bills/{PERIOD}?participant={site.ids['dave']}", 403)
    expect(page.locator("#refused")).to_have_text(refused["en"])
    expect(page.locator("#bill-lines")).to_have_count(0)
    screenshot(page, tmp_path, "bill-refused")
    goto(page, f"{site.base_url}/energy?day={DAY}&meter={site.meters['dave']}", 403)
    expect(page.locator("#refused")).to_have_text(i18n.CATALOGUE["refused.meter"]["en"])
    expect(page.locator("#energy-table")).to_have_count(0)
    screenshot(page, tmp_path, "energy-refused")
    export = f"{site.base_url}/energy/export?format=csv&day={DAY}&meter={site.meters['dave']}"
    answer = page.request.get(export)
    assert answer.status == 403 and "consumption_wh" not in answer.text()
    goto(page, f"{site.base_url}/energy?day={DAY}&meter={site.meters['dave']}&lang=zh", 403)
    expect(page.locator("#refused")).to_have_text(i18n.CATALOGUE["refused.meter"]["zh"])
    # solar's own meter: its production
    goto(page, f"{site.base_url}/energy?day={DAY}")
    expect(page.locator("#energy-total td.production")).to_have_text(f"{billed.production:,}")
    screenshot(page, tmp_path, "energy-producer")


def test_the_chinese_energy_and_bill_pages_have_no_english_left(
    site: Site, billed: Billed, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(locale="zh-CN")  # Accept-Language: zh-CN, no ?lang=
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = context.new_page()
        errors = watch_console(page)
        sign_in(site, page, "dave")
        goto(page, f"{site.base_url}/energy?day={DAY}")
        expect(page.locator("#energy-total td.consumption")).to_have_text(f"{billed.consumption:,}")
        day, month = i18n.date_text(BILLED_DAY, "zh"), i18n.month_text(BILLED_DAY, "zh")
        assert untranslated(page, {"dave"}, day) == []
        screenshot(page, tmp_path, "energy-zh")
        goto(page, f"{site.base_url}/energy?month={DAY[:7]}")
        days = [i18n.date_text(BILLED_DAY + n * DAY_SECONDS, "zh") for n in range(-31, 31)]
        assert untranslated(page, {"dave"}, month, *days) == []
        screenshot(page, tmp_path, "energy-month-zh")
        goto(page, f"{site.base_url}/bills")
        assert untranslated(page, {"dave"}, day) == []
        screenshot(page, tmp_path, "bills-zh")
        goto(page, f"{site.base_url}/bills/{PERIOD}")
        page.locator("#verify-form button").click()
        expect(page.locator("#verdict")).to_have_text(i18n.CATALOGUE["bill.identical"]["zh"])
        bands = {line["band"] for line in billed.bill["lines"] if line.get("band")}
        data = {"dave", "city-solar", billed.bill["inputs_hash"], *bands}
        assert untranslated(page, data, day) == []
        screenshot(page, tmp_path, "bill-zh")
        assert errors == []
    finally:
        context.close()
