"""``python -m demo --keep``: after the market day, both organisations' portals serve the demo's
network and every person can sign in with the password it printed; Ctrl-C stops it all."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from gridledger_network.processes import RunFolder, pid_alive

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[3]
READY_SECONDS = 240.0  # the market day (about 15 s alone) and both portals, on 2 busy cores
STOP_SECONDS = 60.0
MARKET = re.compile(r"^\s+(\S+MSP): market (http://127\.0\.0\.1:\d+/market\?\S+)$")
SIGN_IN = re.compile(r"^\s+(\S+)\s+password (\S+)\s+at (http://127\.0\.0\.1:\d+)/sign-in\s")
READY_LINE = "Ctrl-C stops them all"


def _lines(stream: object, into: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line.rstrip("\n"))
    into.put(None)


def _processes_under(home: Path) -> list[str]:
    """Command lines of running processes that name ``home`` (the network's, the portals')."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(home) in command and (entry / "stat").read_text().split()[2] != "Z":
            found.append(f"{entry.name}: {command}")
    return found


def test_keep_serves_both_portals_until_ctrl_c(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    process = subprocess.Popen(
        [sys.executable, "-m", "demo", "--keep", "--home", str(home)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    output: list[str] = []
    markets: dict[str, str] = {}
    sign_ins: dict[str, tuple[str, str]] = {}
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not output or READY_LINE not in output[-1]:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, "\n".join(output)
            output.append(line)
            if found := MARKET.match(line):
                markets[found.group(1)] = found.group(2)
            if found := SIGN_IN.match(line):
                sign_ins[found.group(1)] = (found.group(2), found.group(3))
        assert set(markets) == {"GridOperatorMSP", "ProsumerMSP"}, output
        assert {"utility", "dave", "bob", "alice", "solar-farm", "auditor"} <= set(sign_ins)
        assert len({url for _, url in sign_ins.values()}) == 2  # one portal per organisation

        password, base = sign_ins["bob"]
        with httpx.Client(base_url=base, timeout=60) as client:
            answer = client.post("/api/v1/session", json={"name": "bob", "password": password})
            assert answer.status_code == 200, answer.text
            assert answer.json()["identity"] == "bob"
            market = client.get(markets["ProsumerMSP"].removeprefix(base))
            assert market.status_code == 200, market.text
            assert market.text.count("data-offer-id=") >= 2, market.text  # the day's offers
            me = client.get("/api/v1/whoami")
            assert me.status_code == 200 and me.json()["identity"] == "bob", me.text
        password, base = sign_ins["dave"]
        with httpx.Client(base_url=base, timeout=60) as client:
            answer = client.post("/api/v1/session", json={"name": "dave", "password": password})
            assert answer.status_code == 200, answer.text
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    assert process.returncode == 0, "\n".join(output)
    run = RunFolder(home)
    left = [name for name in run.names() if (pid := run.pid(name)) and pid_alive(pid)]
    assert left == [], left
    assert _processes_under(home) == []
