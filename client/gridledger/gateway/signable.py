"""What every signed Gateway message shares: its bytes, its digest, sign-once semantics."""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from typing import Any

from gridledger.gateway.signing import SigningIdentity


class Signable(ABC):
    """A message the client signs, or that is signed offline (``bytes()`` → ``digest()``)."""

    _signing: SigningIdentity

    @abstractmethod
    def _message(self) -> Any:
        """The protobuf message that ``bytes()`` serializes."""

    @abstractmethod
    def _signed_content(self) -> bytes:
        """The bytes whose digest is signed."""

    @abstractmethod
    def _signature(self) -> bytes: ...

    @abstractmethod
    def _set_signature(self, signature: bytes) -> None: ...

    def bytes(self) -> builtins.bytes:
        """Serialized message, to hand to an offline signer or to store."""
        return builtins.bytes(self._message().SerializeToString())

    def digest(self) -> builtins.bytes:
        """What must be signed (SHA-256 of the signed content)."""
        return self._signing.digest(self._signed_content())

    def is_signed(self) -> bool:
        return len(self._signature()) > 0

    def _ensure_signed(self) -> None:
        if not self.is_signed():
            self._set_signature(self._signing.sign(self.digest()))


class SignedRequest(Signable):
    """A ``gateway.Signed*Request``: serialized ``request`` bytes and their ``signature``."""

    _request: Any

    def _message(self) -> Any:
        return self._request

    def _signed_content(self) -> bytes:
        return builtins.bytes(self._request.request)

    def _signature(self) -> bytes:
        return builtins.bytes(self._request.signature)

    def _set_signature(self, signature: bytes) -> None:
        self._request.signature = signature
