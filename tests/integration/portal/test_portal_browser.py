"""The portal's web pages in real headless Chromium (Debian's ``/usr/bin/chromium`` driven by
Playwright; nothing downloads a browser): signing in, the market board updated live from the
event stream without a reload, the Chinese pages with no English left, and a screenshot of
each page under the test's tmp path.

``make install`` installs chromium when it is missing and we are root; elsewhere these tests
skip and say why.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gridledger_domain import parse_utc
from gridledger_portal.web import i18n
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from .conftest import Site, market_instant, post_offer

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
LIVE_TIMEOUT_MS = 2_000  # a committed offer shows on an open market page within 2 s
PAGE_TIMEOUT_MS = 30_000  # a page's own load (the first ledger query may be slow on 2 cores)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"Debian's chromium is not installed ({CHROMIUM}); `make install` installs it "
            "(apt-get install chromium fonts-noto-cjk) when run as root"
        )
    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(locale="en-GB")
    opened.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield opened
    finally:
        opened.close()


def watch_console(page: Page) -> list[str]:
    """The page's console errors (a Content-Security-Policy violation is one)."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def sign_in(site: Site, page: Page, account: str, query: str = "") -> None:
    answer = page.goto(f"{site.base_url}/sign-in{query}")
    assert answer is not None and answer.status == 200
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    page.locator("#name").fill(account)
    page.locator("#password").fill(site.passwords[account])
    page.locator("form.sign-in button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/market"))
    expect(page.locator("#user")).to_have_text(account)


def open_market(site: Site, page: Page, quarter: int, lang: str = "") -> None:
    interval = market_instant(quarter)[:16]
    query = f"?interval={interval}" + (f"&lang={lang}" if lang else "")
    answer = page.goto(f"{site.base_url}/market{query}")
    assert answer is not None and answer.status == 200
    assert "unsafe-inline" not in answer.headers["content-security-policy"]
    # live: the event stream is open and the board was read again after it opened
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def screenshot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def offer_row(page: Page, offer: dict[str, Any]) -> Any:
    return page.locator(f'#offers tbody tr[data-offer-id="{offer["offer_id"]}"]')


def test_sign_in_and_a_wrong_password(site: Site, context: BrowserContext, tmp_path: Path) -> None:
    page = context.new_page()
    page.goto(f"{site.base_url}/sign-in")
    expect(page).to_have_title(re.compile("Sign in"))
    screenshot(page, tmp_path, "sign-in")
    page.locator("#name").fill("dave")
    page.locator("#password").fill("not the password")
    page.locator("form.sign-in button[type=submit]").click()
    expect(page.locator("#sign-in-error")).to_have_text(
        i18n.CATALOGUE["sign_in.bad_credentials"]["en"]
    )
    errors = watch_console(page)  # from here on (the wrong password was answered 401)
    sign_in(site, page, "dave")
    expect(page).to_have_title(re.compile("Market"))
    screenshot(page, tmp_path, "market-signed-in")
    page.locator("header form button[type=submit]").click()  # sign out (session CSRF token)
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.goto(f"{site.base_url}/market")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    assert errors == []


def test_an_offer_posted_by_another_user_appears_live_and_goes_when_withdrawn(
    site: Site, context: BrowserContext, tmp_path: Path
) -> None:
    quarter = 60
    page = context.new_page()
    errors = watch_console(page)
    sign_in(site, page, "dave")
    open_market(site, page, quarter)
    page.evaluate("window.sameDocument = 'yes'")  # gone if the page were reloaded
    rows_before = page.locator("#offers tbody tr").count()

    offer = post_offer(site, 700, 1_234, quarter)  # returns once the offer is committed
    row = offer_row(page, offer)
    expect(row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(row.locator("td")).to_have_text(
        [offer["offer_id"], "Solar", "south", "700", "0.1234", "Buy"],
        timeout=LIVE_TIMEOUT_MS,
    )
    expect(page.locator("#offers tbody tr")).to_have_count(rows_before + 1)
    assert page.evaluate("window.sameDocument") == "yes"
    screenshot(page, tmp_path, "market-live-offer")

    client, csrf = site.signed_in("solar")
    with client:
        withdrawn = client.post(
            f"/offers/{offer['offer_id']}/withdraw", headers={"X-CSRF-Token": csrf}
        )
        assert withdrawn.status_code == 200, withdrawn.text
    expect(row).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    assert page.evaluate("window.sameDocument") == "yes"
    assert errors == []


def test_the_chinese_market_page_has_no_english_left(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    quarter = 70
    standing = post_offer(site, 500, 2_000, quarter)  # rendered by the server
    context = browser.new_context(locale="zh-CN")  # Accept-Language: zh-CN, no ?lang=
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = context.new_page()
        errors = watch_console(page)
        page.goto(f"{site.base_url}/sign-in")
        assert untranslated(page, set()) == []
        screenshot(page, tmp_path, "sign-in-zh")
        sign_in(site, page, "dave")
        open_market(site, page, quarter)
        live = post_offer(site, 300, 1_000, quarter)  # added by the page's script
        expect(offer_row(page, live)).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(offer_row(page, standing).locator("td").nth(1)).to_have_text("太阳能")
        expect(offer_row(page, live).locator("td").nth(1)).to_have_text("太阳能")
        data = {standing["offer_id"], live["offer_id"], "south", "dave"}
        label = i18n.interval_text(parse_utc(market_instant(quarter)), "zh")
        assert untranslated(page, data, label) == []
        screenshot(page, tmp_path, "market-zh")
        # ?lang= wins over Accept-Language, and English is back
        open_market(site, page, quarter, lang="en")
        expect(page.locator("h1")).to_have_text(i18n.CATALOGUE["market.title"]["en"])
        assert errors == []
    finally:
        context.close()


def untranslated(page: Page, data: set[str], *formatted: str) -> list[str]:
    """What of the page's text (its title and body, hidden parts too) is not Chinese from the
    catalogue: Latin words outside the elements marked as data (ids, zone, user name, which
    must be among ``data``), and Chinese not found in the catalogue's Chinese or ``formatted``."""
    title, text, datums = page.evaluate(
        """() => {
            const body = document.body.cloneNode(true);
            const datums = Array.from(body.querySelectorAll('[data-datum]'));
            const values = datums.map((element) => element.textContent.trim());
            datums.forEach((element) => element.remove());
            body.querySelectorAll('script').forEach((element) => element.remove());
            return [document.title, body.textContent, values];
        }"""
    )
    found = [f"datum {value!r}" for value in datums if value not in data]
    rendered = f"{title}\n{text}"
    found += re.findall(r"[A-Za-z]+", rendered)
    chinese = "\n".join([texts["zh"] for texts in i18n.CATALOGUE.values()] + list(formatted))
    found += [run for run in re.findall(r"[^\x00-\x7f·…]+", rendered) if run not in chinese]
    return found
