"""A household's meter data in its organisation's private data collection (issue 20).

Shared by the chaincode and the client: the collection of a household, the transient data a
registration and a readings submission carry, and the salted private keys.

- Collection ``mdata_<MSP>`` (``gridledger_domain.collections``) holds the meter data of the
  households registered under ``<MSP>`` (docs/private-data.md).
- ``RegisterParticipant`` takes 32 random bytes as transient data ``salt`` (the contract cannot
  draw randomness: every endorser must write the same bytes); the contract keeps them in the
  household's collection.
- Private keys are ``HMAC-SHA256(salt, "<kind>|<subject>|<instant or day>")`` in hex, so the
  SHA-256 of a guessed meter/day key, which every peer of the channel holds, never matches.
- ``SubmitReadings`` takes the batch as transient data ``readings`` (canonical JSON); its
  arguments carry only the count and the batch's SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from typing import Any

from gridledger_domain.canonical import canonical_json

SALT_BYTES = 32
SALT_FIELD = "salt"
"""The transient field of ``RegisterParticipant`` holding the household's salt."""
READINGS_FIELD = "readings"
"""The transient field of ``SubmitReadings`` holding the batch (canonical JSON array)."""

# the kinds of private values (the ``<kind>`` of a key); per meter:
DAY_RECORD = "day"  # its readings of one UTC day
DAY_INDEX = "days"  # which days of a block of 256 hold readings
SPAN = "span"  # its first and last reading instants
# per participant:
STATEMENT = "statement"  # a day statement
REVISION = "revision"  # a revision of a closed day
TRUE_UP_KIND = "true_up"  # a revision's true-up lines
BILL_KIND = "bill"  # a bill
SALT_KIND = "salt"  # the salt itself (its key is ``energy.salt/<participant>``, not salted)


def new_salt() -> bytes:
    """A household's salt: 32 bytes from the operating system's random source."""
    return os.urandom(SALT_BYTES)


def registration_transient(salt: bytes | None = None) -> dict[str, bytes]:
    """The transient data of a ``RegisterParticipant`` (a new salt when none is given)."""
    return {SALT_FIELD: new_salt() if salt is None else salt}


def private_key(salt: bytes, kind: str, subject: str, at: str) -> str:
    """``HMAC-SHA256(salt, "<kind>|<subject>|<at>")`` in hex: a private key nobody without the
    salt can compute."""
    return hmac.new(salt, f"{kind}|{subject}|{at}".encode(), hashlib.sha256).hexdigest()


def readings_payload(items: Sequence[Mapping[str, Any]]) -> bytes:
    """A batch of signed readings (transport form) as the transient ``readings`` bytes."""
    return canonical_json([dict(item) for item in items], checked=False)


def readings_request(items: Sequence[Mapping[str, Any]]) -> tuple[list[str], dict[str, bytes]]:
    """The arguments (count, SHA-256 hex) and transient data of ``SubmitReadings``."""
    payload = readings_payload(items)
    return [str(len(items)), hashlib.sha256(payload).hexdigest()], {READINGS_FIELD: payload}
