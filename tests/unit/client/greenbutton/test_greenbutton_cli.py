"""``gridledger energy import-greenbutton`` refuses a bad file in one line, before it connects."""

from __future__ import annotations

from pathlib import Path

import pytest
from gridledger.cli.main import app
from typer.testing import CliRunner

FILES = Path(__file__).parent / "files"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("billion_laughs.xml", "unsafe XML: it declares an entity"),
        ("daily.xml", "daily or monthly data is not accepted"),
    ],
)
def test_a_bad_file_ends_in_one_line_without_a_ledger(
    name: str, reason: str, tmp_path: Path
) -> None:
    arguments = ["energy", "import-greenbutton", str(FILES / name), "--map"]
    arguments += [str(FILES / "mapping.json"), "--keys", str(tmp_path)]
    arguments += ["--profile", str(tmp_path / "no-network.json")]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"gridledger: {FILES / name}: ") and reason in result.stderr
