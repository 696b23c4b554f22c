"""The energy contract's refusals, defined once for the chaincode and the client.

The contract raises a :class:`Refusal`; the peer returns it as a message that starts with its
kind (``invalid: ...``, ``access denied: ...``, ``not found: ...``, ``conflict: ...``,
``incomplete: ...``) and nothing is written. The client turns such a message back into the
same kind (its classes derive from these, so ``except InvalidRequest`` works on both sides).
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from gridledger_domain.errors import GridLedgerError


class RefusalKind(StrEnum):
    INVALID = "invalid"
    ACCESS_DENIED = "access denied"
    NOT_FOUND = "not found"
    CONFLICT = "conflict"
    INCOMPLETE = "incomplete"


class Refusal(GridLedgerError):
    """The contract refused the request; nothing was written. ``str()`` is the wire message."""

    kind: ClassVar[RefusalKind]

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


class InvalidRequest(Refusal):
    """An argument is malformed or breaks a business rule."""

    kind = RefusalKind.INVALID


class AccessDenied(Refusal):
    """The caller's role or identity does not allow the operation."""

    kind = RefusalKind.ACCESS_DENIED


class NotFound(Refusal):
    """A participant, meter, offer, tariff or bill does not exist."""

    kind = RefusalKind.NOT_FOUND


class Conflict(Refusal):
    """The request contradicts the ledger (duplicate, register going backwards, sold out...)."""

    kind = RefusalKind.CONFLICT


class IncompleteData(Refusal):
    """Settlement cannot produce a final bill: readings are missing (listed in the reason)."""

    kind = RefusalKind.INCOMPLETE
