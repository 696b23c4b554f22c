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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add-org", "CommunityMSP"], "no running fabric network"),
        (["bundle", "RetailerMSP"], "bring the network up first"),
    ],
)
def test_add_org_and_bundle_without_a_network_say_so_in_one_line(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, [*argv, "--home", str(tmp_path)])

    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
