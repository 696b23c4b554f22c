"""Canonical JSON: sorted keys, no whitespace, ASCII only; integers, strings, lists, objects.

Used for bills (byte-identical when re-settled) and for the settlement inputs hash.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def _allowed(value: Any) -> bool:
    """Whether ``value`` holds only what canonical JSON allows (fast; no paths built)."""
    if isinstance(value, str | int | bool) or value is None:
        return True
    if isinstance(value, dict):
        return all(isinstance(key, str) and _allowed(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return all(_allowed(item) for item in value)
    return False


def _check(value: Any, path: str) -> None:
    """Raise naming the path of the first value canonical JSON does not allow."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return
    if isinstance(value, float):
        raise TypeError(f"floats are not allowed in canonical JSON ({path})")
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings ({path})")
            _check(item, f"{path}.{key}")
        return
    raise TypeError(f"{type(value).__name__} is not allowed in canonical JSON ({path})")


def canonical_json(value: Any, *, checked: bool = True) -> bytes:
    """The one byte encoding of ``value``. ``checked=False`` skips the walk that refuses floats
    and other types, for values built only from typed records (which hold none)."""
    if checked and not _allowed(value):
        _check(value, "$")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
