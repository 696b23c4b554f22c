"""The energy contract's refusals as Python exceptions.

The contract refuses with a message that starts with its kind (``invalid:``, ``access denied:``,
``not found:``, ``conflict:``, ``incomplete:``). :func:`refusal_from` turns a Gateway error that
carries such a message into the matching :class:`EnergyError`; the error is still a
``GatewayError`` with the original's transaction id, gRPC code and per-peer details.
"""

from __future__ import annotations

import re

from gridledger.gateway.errors import GatewayError


class EnergyError(GatewayError):
    """The energy contract refused the request; nothing was written.

    ``reason`` is the contract's message without its kind prefix; ``cause`` the Gateway error
    it came with (``EndorseError`` for submits, ``EvaluateError`` for queries)."""

    kind = "refused"

    def __init__(self, reason: str, cause: GatewayError) -> None:
        super().__init__(
            reason,
            transaction_id=cause.transaction_id,
            grpc_code=cause.grpc_code,
            details=cause.details,
        )
        self.reason = reason
        self.cause = cause
        self.step = cause.step

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


class InvalidRequest(EnergyError):
    """An argument is malformed or breaks a business rule."""

    kind = "invalid"


class AccessDenied(EnergyError):
    """The caller's role or identity does not allow the operation."""

    kind = "access denied"


class NotFound(EnergyError):
    """A participant, meter, offer, tariff or bill does not exist."""

    kind = "not found"


class Conflict(EnergyError):
    """The request contradicts the ledger (duplicate, register going backwards, sold out...)."""

    kind = "conflict"


class IncompleteData(EnergyError):
    """Settlement cannot produce a final bill: readings are missing (listed in ``reason``)."""

    kind = "incomplete"


_KINDS: dict[str, type[EnergyError]] = {
    kind.kind: kind for kind in (InvalidRequest, AccessDenied, NotFound, Conflict, IncompleteData)
}
_PREFIX = r"(?:^|chaincode response \d+, |returned error: )"
_REFUSAL = re.compile(
    _PREFIX + r"(invalid|access denied|not found|conflict|incomplete): (.*)", re.S
)
# The contract API's own argument errors: "argument quantityWh: expected an integer, got 'x'".
_ARGUMENT = re.compile(_PREFIX + r"(argument \w+: .*)", re.S)


def refusal_from(error: GatewayError) -> EnergyError | None:
    """The domain refusal ``error`` carries, or None (e.g. a network or commit failure)."""
    messages = [detail.message for detail in error.details] + [error.message]
    for message in messages:
        found = _REFUSAL.search(message)
        if found is not None:
            return _KINDS[found.group(1)](found.group(2).strip(), error)
        argument = _ARGUMENT.search(message)
        if argument is not None:
            return InvalidRequest(argument.group(1).strip(), error)
    return None
