"""Signatures this process already knows to be valid, so no signature is checked twice.

The devnet runs every organisation's peer and the orderer in one process. Fabric's nodes each
verify the same signatures (the orderer and every peer check the envelope's creator signature,
every peer checks every endorsement); inside one process the answer cannot differ, so a
signature verified once (or produced here, by the private key of the certificate it is checked
against) is remembered by (certificate, SHA-256 of the message, signature) and not verified
again. Only successes are remembered; the memory is bounded.
"""

from __future__ import annotations

import hashlib
import threading

LIMIT = 1 << 16

SignatureMemo = tuple[bytes, bytes, bytes]


def memo_key(certificate_der: bytes, message: bytes, signature: bytes) -> SignatureMemo:
    return certificate_der, hashlib.sha256(message).digest(), bytes(signature)


class VerifiedSignatures:
    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._seen: dict[SignatureMemo, None] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: SignatureMemo) -> bool:
        return key in self._seen

    def add(self, key: SignatureMemo) -> None:
        with self._lock:
            self._seen[key] = None
            if len(self._seen) > self._limit:  # forget the older half
                for old in list(self._seen)[: self._limit // 2]:
                    del self._seen[old]

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


VERIFIED = VerifiedSignatures()
