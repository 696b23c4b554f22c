"""What every signed Gateway message shares: its bytes, its digest, sign-once semantics."""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from typing import Any, ClassVar, TypeVar

from gridledger.gateway.context import ClientContext


class Signable(ABC):
    """A message the client signs, or that is signed offline (``bytes()`` → ``digest()``).

    One part of the message (``_signed_part()``) holds the signed content, in its field named
    ``_content_field``, beside the ``signature`` of that content.
    """

    _content_field: ClassVar[str]

    def __init__(self, context: ClientContext) -> None:
        self._context = context
        self._signing = context.signing

    @abstractmethod
    def _message(self) -> Any:
        """The protobuf message that ``bytes()`` serializes."""

    @abstractmethod
    def _signed_part(self) -> Any:
        """The part of ``_message()`` holding the signed content and its ``signature``."""

    def _signed_content(self) -> builtins.bytes:
        """The bytes whose digest is signed."""
        return builtins.bytes(getattr(self._signed_part(), self._content_field))

    def _signature(self) -> builtins.bytes:
        return builtins.bytes(self._signed_part().signature)

    def _set_signature(self, signature: builtins.bytes) -> None:
        self._signed_part().signature = signature

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

    _content_field = "request"
    _request: Any

    def _message(self) -> Any:
        return self._request

    def _signed_part(self) -> Any:
        return self._request


S = TypeVar("S", bound=Signable)


def with_signature(message: S, signature: builtins.bytes) -> S:
    """``message`` with a ``signature`` made elsewhere (offline signing)."""
    message._set_signature(signature)
    return message
