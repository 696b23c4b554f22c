"""Where a local network lives: its home folder and the connection profile it writes there."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NETWORK_FILE = "network.json"


def home_folder(home: Path | str | None, env_var: str, default: str) -> Path:
    """``home``, else ``$env_var``, else ``default``, as an absolute path."""
    if home is None:
        home = os.environ.get(env_var, default)
    return Path(home).expanduser().resolve()


def remove_entries(home: Path, entries: Iterable[str]) -> None:
    """Remove these files and folders of ``home`` (those that exist)."""
    for entry in entries:
        target = home / entry
        if target.is_dir():
            shutil.rmtree(target)
        else:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()


@dataclass
class NetworkHome:
    """A network started in ``home``: the devnet's handle and real Fabric's network extend it."""

    home: Path

    @property
    def network_json(self) -> Path:
        """The connection profile (format in docs/devnet.md)."""
        return self.home / NETWORK_FILE

    def read_network_json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.network_json.read_text(encoding="utf-8"))
        return data
