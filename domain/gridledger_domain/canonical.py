"""Canonical JSON: sorted keys, no whitespace, ASCII only; integers, strings, lists, objects.

Used for bills (byte-identical when re-settled) and for the settlement inputs hash.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def _check(value: Any, path: str) -> None:
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


def canonical_json(value: Any) -> bytes:
    """The one byte encoding of ``value``."""
    _check(value, "$")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
