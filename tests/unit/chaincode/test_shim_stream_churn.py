"""Streams ending in every way while another thread collects garbage never crash the process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def test_many_streams_ending_with_transactions_waiting_do_not_crash_the_process() -> None:
    # 300 streams: the greenlet lifetime bug this guards against crashed within 50-100.
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", str(HERE / "stream_churn.py"), "8", "300"],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
