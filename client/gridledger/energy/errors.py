"""The energy contract's refusals as the client raises them.

The contract refuses with a message that starts with its kind (``invalid:``, ``access denied:``,
``not found:``, ``conflict:``, ``incomplete:``; the kinds are defined once, in
``gridledger_domain.refusals``). :func:`refusal_from` turns a Gateway error that carries such a
message into the matching :class:`EnergyError`: it is at once the shared refusal kind (``except
gridledger_domain.refusals.NotFound`` catches it) and a ``GatewayError`` with the original's
transaction id, gRPC code and per-peer details.
"""

from __future__ import annotations

import re

from gridledger.gateway.errors import GatewayError
from gridledger_domain import refusals
from gridledger_domain.refusals import Refusal, RefusalKind


class EnergyError(GatewayError, Refusal):
    """The energy contract refused the request; nothing was written.

    ``reason`` is the contract's message without its kind prefix; ``cause`` the Gateway error
    it came with (``EndorseError`` for submits, ``EvaluateError`` for queries)."""

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

    __str__ = Refusal.__str__


class InvalidRequest(EnergyError, refusals.InvalidRequest):
    """An argument is malformed or breaks a business rule."""


class AccessDenied(EnergyError, refusals.AccessDenied):
    """The caller's role or identity does not allow the operation."""


class NotFound(EnergyError, refusals.NotFound):
    """A participant, meter, offer, tariff or bill does not exist."""


class Conflict(EnergyError, refusals.Conflict):
    """The request contradicts the ledger (duplicate, register going backwards, sold out...)."""


class IncompleteData(EnergyError, refusals.IncompleteData):
    """Settlement cannot produce a final bill: readings are missing (listed in ``reason``)."""


_CLIENT_REFUSALS: dict[RefusalKind, type[EnergyError]] = {
    refusal.kind: refusal
    for refusal in (InvalidRequest, AccessDenied, NotFound, Conflict, IncompleteData)
}
# Where Fabric puts the contract's message: first, or after the peer's / Gateway's wrapping.
_PREFIX = r"(?:^|chaincode response \d+, |returned error: )"
_REFUSAL = re.compile(
    _PREFIX + "(" + "|".join(re.escape(kind.value) for kind in RefusalKind) + r"): (.*)", re.S
)
# The contract API's own argument errors: "argument quantityWh: expected an integer, got 'x'".
_ARGUMENT = re.compile(_PREFIX + r"(argument \w+: .*)", re.S)


def refusal_from(error: GatewayError) -> EnergyError | None:
    """The domain refusal ``error`` carries, or None (e.g. a network or commit failure)."""
    messages = [detail.message for detail in error.details] + [error.message]
    for message in messages:
        found = _REFUSAL.search(message)
        if found is not None:
            return _CLIENT_REFUSALS[RefusalKind(found.group(1))](found.group(2).strip(), error)
        argument = _ARGUMENT.search(message)
        if argument is not None:
            return InvalidRequest(argument.group(1).strip(), error)
    return None
