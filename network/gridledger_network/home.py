"""Where a local network lives: its home folder and the connection profile it writes there."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NETWORK_FILE = "network.json"


def home_folder(home: Path | str | None, env_var: str, default: str) -> Path:
    """``home``, else ``$env_var``, else ``default``, as an absolute path."""
    if home is None:
        home = os.environ.get(env_var, default)
    return Path(home).expanduser().resolve()


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
