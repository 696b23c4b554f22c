"""`python -m bench --smoke` brings up its own devnet, drives it and prints the results table;
`--smoke --suites portal` does the same for the market portal over HTTP."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD_SECONDS = 240


def _table_rows(output: str) -> list[list[str]]:
    rows = []
    for line in output.splitlines():
        if line.startswith("| ") and not line.startswith("| workload") and "client ->" in line:
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _smoke_run(*options: str) -> str:
    """``python -m bench --smoke OPTIONS``'s standard output, once it ended well."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", *options],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def test_smoke_run_prints_a_table_with_committed_transactions(tmp_path: Path) -> None:
    out = _smoke_run("--home", str(tmp_path / "devnet"))
    assert "blocks cut at 100 ms or 500 transactions" in out
    rows = _table_rows(out)
    assert rows, out
    labels = [row[1] for row in rows]
    assert "python client -> python cc" in labels
    for row in rows:
        tx_per_second, failed = float(row[3].replace(",", "")), int(row[-1])
        assert tx_per_second > 0, row  # something committed in the window
        assert failed == 0, row
    assert "P3 variants" in out  # what is not measured is listed, not silently dropped


def test_portal_smoke_run_lists_offers_streams_events_and_buys() -> None:
    out = _smoke_run("--suites", "portal")
    assert "## portal: the market portal over HTTP" in out
    listing = re.search(r"^\| 4 \| ([\d,.]+) \| [\d,.]+ \| [\d,.]+ \| (\d+) \|$", out, re.M)
    assert listing is not None, out
    assert float(listing.group(1).replace(",", "")) > 0 and listing.group(2) == "0", out
    assert "received the `OfferPosted`: 50/50, missed 0, failed 0" in out
    assert re.search(r"ratio API / Python client: median \d+\.\d\d", out), out
