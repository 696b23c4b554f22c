"""Identifiers on the ledger: participants (``<MSP id>::<subject>``), grid zones, record ids."""

from __future__ import annotations

import re

from gridledger_domain.refusals import InvalidRequest

PARTICIPANT_SEPARATOR = "::"
MSP_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
ZONE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
MAX_SUBJECT = 512


def participant_id(msp_id: str, subject: str) -> str:
    """The participant id: ``<MSP id>::<certificate subject>`` (subject as an RFC 4514 string)."""
    if not isinstance(msp_id, str) or MSP_ID_PATTERN.match(msp_id) is None:
        raise InvalidRequest(f"invalid MSP id: {msp_id!r}")
    if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT:
        raise InvalidRequest(f"certificate subject must be 1-{MAX_SUBJECT} characters")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in subject):
        raise InvalidRequest("certificate subject must not contain control characters")
    return f"{msp_id}{PARTICIPANT_SEPARATOR}{subject}"


def split_participant_id(participant: str) -> tuple[str, str]:
    """``<MSP id>::<subject>`` -> (MSP id, subject)."""
    msp_id, separator, subject = participant.partition(PARTICIPANT_SEPARATOR)
    if not separator or not msp_id or not subject:
        raise InvalidRequest(f"a participant id is '<MSP id>::<subject>', got {participant!r}")
    return msp_id, subject


def validate_zone(zone: object) -> str:
    if not isinstance(zone, str) or ZONE_PATTERN.match(zone) is None:
        raise InvalidRequest(f"grid zone must be 1-32 characters [A-Za-z0-9._-]: {zone!r}")
    return zone


def validate_id(kind: str, value: object) -> str:
    """An offer, trade or other record id: 1-128 characters ``[A-Za-z0-9._:-]``."""
    if not isinstance(value, str) or ID_PATTERN.match(value) is None:
        raise InvalidRequest(f"invalid {kind} id {value!r}")
    return value
