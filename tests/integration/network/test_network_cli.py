"""`gridledger network up|status|down` as a user runs it: the devnet and the chaincode it serves
come up together, the CLI reaches them, `up` is idempotent and `down` stops both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gridledger_network.processes import free_ports
from harness.devnet import devnet_config

pytestmark = pytest.mark.integration

GRIDLEDGER = [sys.executable, "-m", "gridledger.cli.main"]


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRIDLEDGER_HOME": str(home)}
    return subprocess.run(
        [*GRIDLEDGER, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_up_serves_the_chaincode_and_down_stops_everything(tmp_path: Path) -> None:
    home = tmp_path / "devnet"
    home.mkdir()
    operator, prosumer, chaincode = free_ports(3)
    config = devnet_config(
        {"GridOperatorMSP": operator, "ProsumerMSP": prosumer}, {"gridledger": chaincode}
    )
    config["chaincodes"][0]["server"] = "python"
    (home / "devnet.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    try:
        up = _run(home, "network", "up")
        assert up.returncode == 0, up.stderr
        assert "chaincode gridledger: served" in up.stdout

        registered = _run(
            home,
            *("energy", "register-participant", "GridOperatorMSP/User1", "consumer"),
            *("--zone", "north", "--name", "CLI user"),
        )
        assert registered.returncode == 0, registered.stderr
        assert "registered CLI user as consumer" in registered.stdout

        again = _run(home, "network", "up")
        assert "already running" in again.stdout
        assert "served" not in again.stdout

        status = _run(home, "network", "status")
        assert f"127.0.0.1:{operator}" in status.stdout
        assert "chaincode-gridledger: running" in status.stdout
    finally:
        down = _run(home, "network", "down")
    assert down.returncode == 0, down.stderr
    assert "chaincode-gridledger stopped" in down.stdout
    assert _run(home, "network", "status").returncode == 1
