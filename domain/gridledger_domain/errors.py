"""Errors raised by the meter-reading format and its signatures."""


class MeterDataError(ValueError):
    """A reading, key or signature does not satisfy the meter-reading format."""


class InvalidReading(MeterDataError):
    """A reading's fields are out of range or malformed (never signed, never stored)."""


class InvalidSignature(MeterDataError):
    """A reading's signature is malformed, not low-S, or does not verify under the meter's key."""


class InvalidMeterKey(MeterDataError):
    """A meter key is not an ECDSA P-256 key in the expected encoding."""
