"""Folders of private keys: created owner-only (0700), their files written owner-only (0600)
from the start (never briefly readable by others)."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def owner_only_folder(folder: Path) -> Path:
    """``folder``, created (with its parents) if missing; a folder this creates is 0700."""
    if not folder.is_dir():
        folder.mkdir(parents=True, mode=FOLDER_MODE)
        folder.chmod(FOLDER_MODE)  # (mkdir's mode is reduced by the umask)
    return folder


def write_owner_only(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` to ``folder/name`` (replacing it), mode 0600, in an owner-only folder."""
    path = owner_only_folder(folder) / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(text)
    path.chmod(FILE_MODE)  # (an existing file keeps its mode through os.open)
    return path
