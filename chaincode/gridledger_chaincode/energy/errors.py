"""Refusals of the energy contract: each carries a clear message; nothing is written."""


class EnergyError(Exception):
    """Base of every refusal raised by the energy domain."""


class ValidationError(EnergyError):
    """An argument is malformed or breaks a business rule."""


class AccessDenied(EnergyError):
    """The caller's role or identity does not allow the operation."""


class NotFound(EnergyError):
    """A referenced participant, meter, offer, tariff or bill does not exist."""


class Conflict(EnergyError):
    """The request contradicts what the ledger already holds (duplicate, going backwards)."""


class IncompleteData(EnergyError):
    """Settlement cannot produce a final bill: readings are missing (listed in the message)."""
