"""The one hash Fabric signs over: SHA-256."""

from __future__ import annotations

import hashlib


def sha256(message: bytes) -> bytes:
    """SHA-256 digest of ``message`` (what a Fabric signer signs)."""
    return hashlib.sha256(message).digest()
