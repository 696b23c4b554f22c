"""The project's error root, and the errors of the meter-reading format and its signatures."""


class GridLedgerError(Exception):
    """Base of every error GridLedger raises (client, gateway, outbox, network tools, refusals).

    Catch it to handle the project's own failures and nothing else; the subclasses say what
    failed and where. Applications import it as ``gridledger.errors.GridLedgerError``."""


class MeterDataError(GridLedgerError, ValueError):
    """A reading, key or signature does not satisfy the meter-reading format."""


class InvalidReading(MeterDataError):
    """A reading's fields are out of range or malformed (never signed, never stored)."""


class InvalidSignature(MeterDataError):
    """A reading's signature is malformed, not low-S, or does not verify under the meter's key."""


class InvalidMeterKey(MeterDataError):
    """A meter key is not an ECDSA P-256 key in the expected encoding."""
