"""Where the outbox lives by default: the client's data folder (XDG base directories)."""

from __future__ import annotations

import os
from pathlib import Path

OUTBOX_FILE = "outbox.sqlite"


def data_dir() -> Path:
    """``$GRIDLEDGER_DATA_HOME``, else ``$XDG_DATA_HOME/gridledger``, else
    ``~/.local/share/gridledger``."""
    explicit = os.environ.get("GRIDLEDGER_DATA_HOME", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "gridledger"


def default_outbox_path() -> Path:
    return data_dir() / OUTBOX_FILE
