"""``python -m demo.screenshots OUTDIR``: the README's pictures, taken from the demo.

The market day is played on a fresh devnet (in a temporary home), both organisations' portals
are served with an account for each person (what ``python -m demo --keep`` does), and Debian's
headless chromium (``/usr/bin/chromium`` driven by Playwright; nothing downloads a browser)
signs in as Bob and saves ``market.png`` (the demo day's offers at noon) and ``bill.png`` (his
bill of the day). Everything is stopped afterwards.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

from gridledger_domain.command import run_command
from gridledger_domain.errors import GridLedgerError
from rich.console import Console

from demo.market_day import run_market_day
from demo.network import start_devnet_network
from demo.portals import SignIn, add_accounts, portal_people, start_portals

CHROMIUM = Path("/usr/bin/chromium")
PERSON = "bob"
BILL_PERIOD = "2025-06-21..2025-06-22"
VIEWPORT = {"width": 1200, "height": 800}
MARKET_VIEWPORT = {"width": 1200, "height": 420}  # the board is short: no blank half page
PAGE_TIMEOUT_MS = 30_000


class ScreenshotError(GridLedgerError):
    """The pictures could not be taken (no chromium, a page that did not load)."""


def take(outdir: Path, sign_in: SignIn, market_url: str) -> list[Path]:
    """Sign in as ``sign_in`` in headless chromium; save the market and the bill pages."""
    from playwright.sync_api import expect, sync_playwright

    outdir.mkdir(parents=True, exist_ok=True)
    base = sign_in.portal.url
    saved = []
    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            context = browser.new_context(locale="en-GB", viewport=VIEWPORT)  # type: ignore[arg-type]
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            page = context.new_page()
            page.goto(f"{base}/sign-in")
            page.locator("#name").fill(sign_in.name)
            page.locator("#password").fill(sign_in.password)
            page.locator("form.sign-in button[type=submit]").click()
            page.wait_for_url("**/market**")
            page.goto(market_url)
            expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
            saved.append(outdir / "market.png")
            page.set_viewport_size(MARKET_VIEWPORT)  # type: ignore[arg-type]
            page.screenshot(path=str(saved[-1]), full_page=True)
            page.set_viewport_size(VIEWPORT)  # type: ignore[arg-type]
            page.goto(f"{base}/bills/{BILL_PERIOD}")
            saved.append(outdir / "bill.png")
            page.screenshot(path=str(saved[-1]), full_page=True)
        finally:
            browser.close()
    return saved


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m demo.screenshots OUTDIR", file=sys.stderr)
        return 2
    if not os.access(CHROMIUM, os.X_OK):
        raise ScreenshotError(
            f"no chromium at {CHROMIUM}: `make install` installs it (as root), "
            "or apt-get install chromium fonts-noto-cjk"
        )
    outdir = Path(argv[0]).resolve()
    console = Console(file=io.StringIO())  # the market day's story is not wanted here
    with tempfile.TemporaryDirectory(prefix="gridledger-screenshots-") as scratch:
        home = Path(scratch) / "demo"
        network = start_devnet_network(home)
        try:
            print("playing the market day ...", file=sys.stderr)
            run_market_day(network.profile(), console, home / "billing")
            portals = start_portals(home)
            sign_ins = add_accounts(home, portal_people(), portals)
            person = next(item for item in sign_ins if item.name == PERSON)
            for path in take(outdir, person, person.portal.market_url):
                print(f"saved {path}")
        finally:
            network.stop()
    return 0


if __name__ == "__main__":
    sys.exit(run_command("demo.screenshots", lambda: main(sys.argv[1:])))
