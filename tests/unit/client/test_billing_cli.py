"""``gridledger billing run``: its options, and one clear line for a mistake."""

from __future__ import annotations

from pathlib import Path

from gridledger.cli.main import app
from typer.testing import CliRunner


def test_help_names_every_option() -> None:
    result = CliRunner().invoke(app, ["billing", "run", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--home", "--org", "--once", "--grace", "--since", "--until", "--interval"):
        assert option in result.output


def test_a_bad_grace_is_one_line_and_status_1(tmp_path: Path) -> None:
    (tmp_path / "network.json").write_text("{}")
    result = CliRunner().invoke(
        app, ["billing", "run", "--home", str(tmp_path), "--once", "--grace", "soon"]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "gridledger billing: duration 'soon': expected a number with s, m, h or d (e.g. 48h)"
    ]


def test_a_home_without_a_network_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["billing", "run", "--home", str(tmp_path), "--once"])
    assert result.exit_code == 2
    assert "no connection profile" in result.output
