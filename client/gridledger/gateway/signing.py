"""The client's signing identity: creator bytes, hashing, and an optional signer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gridledger.fabric.hashing import sha256
from gridledger.fabric.identity import Identity
from gridledger.gateway.errors import NoSignerError

Sign = Callable[[bytes], bytes]  # digest -> signature (a ``gridledger.fabric.Signer`` fits)
Hash = Callable[[bytes], bytes]


@dataclass(frozen=True)
class SigningIdentity:
    identity: Identity
    sign_digest: Sign | None = None
    hash: Hash = sha256

    def creator(self) -> bytes:
        return self.identity.serialize()

    def digest(self, message: bytes) -> bytes:
        return self.hash(message)

    def sign(self, digest: bytes) -> bytes:
        if self.sign_digest is None:
            raise NoSignerError(
                "no signer supplied: sign the digest yourself and use the gateway's "
                "new_signed_* methods (offline signing)"
            )
        return self.sign_digest(digest)
