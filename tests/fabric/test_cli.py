"""``gridledger network fabric`` commands where no network runs (no binaries needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gridledger_network.fabric.cli import app
from typer.testing import CliRunner


def test_status_of_an_empty_home_says_there_is_no_network(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["status", "--home", str(tmp_path)])

    assert result.exit_code == 1
    assert "no fabric network" in result.output


@pytest.mark.usefixtures("no_fabric_binaries")
def test_up_without_binaries_fails_with_one_message_saying_how_to_get_them(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["up", "--home", str(tmp_path / "net")])

    assert result.exit_code == 1
    assert "make fabric-binaries" in result.output
    assert not (tmp_path / "net" / "run").exists()
