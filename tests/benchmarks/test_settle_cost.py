"""`python -m bench.settle_cost` measures the contract's billing CPU and prints what it allows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_settle_cost_prints_each_part_and_the_bills_per_second_it_allows() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.settle_cost", "--repeat", "5", "--cores", "2"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    out = completed.stdout
    for part in ("rebuild 97 readings", "settle (with inputs hash)", "encode", "30 statements"):
        assert part in out, out
    allowed = re.search(r"at most ([\d.]+) bills/s", out)
    assert allowed is not None and float(allowed.group(1)) > 0, out
