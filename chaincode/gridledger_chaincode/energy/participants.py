"""Participants: who is on the ledger, recognised from the caller's certificate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.vocabulary import Role, parse_word

MSP_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
ZONE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
MAX_SUBJECT = 512
MAX_DISPLAY_NAME = 128


def participant_id(msp_id: str, subject: str) -> str:
    """The participant id: ``<MSP id>::<certificate subject>`` (subject as an RFC 4514 string)."""
    if not isinstance(msp_id, str) or MSP_ID_PATTERN.match(msp_id) is None:
        raise InvalidRequest(f"invalid MSP id: {msp_id!r}")
    if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT:
        raise InvalidRequest(f"certificate subject must be 1-{MAX_SUBJECT} characters")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in subject):
        raise InvalidRequest("certificate subject must not contain control characters")
    return f"{msp_id}::{subject}"


def validate_zone(zone: object) -> str:
    if not isinstance(zone, str) or ZONE_PATTERN.match(zone) is None:
        raise InvalidRequest(f"grid zone must be 1-32 characters [A-Za-z0-9._-]: {zone!r}")
    return zone


@dataclass(frozen=True, slots=True)
class Participant:
    msp_id: str
    subject: str
    role: Role
    zone: str
    display_name: str

    def __post_init__(self) -> None:
        participant_id(self.msp_id, self.subject)
        if not isinstance(self.role, Role):
            raise InvalidRequest(f"unknown role {self.role!r}")
        validate_zone(self.zone)
        name = self.display_name
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_DISPLAY_NAME:
            raise InvalidRequest(f"display name must be 1-{MAX_DISPLAY_NAME} characters")

    @property
    def participant_id(self) -> str:
        return participant_id(self.msp_id, self.subject)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "participant_id": self.participant_id,
            "msp_id": self.msp_id,
            "subject": self.subject,
            "role": self.role.value,
            "zone": self.zone,
            "display_name": self.display_name,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Participant:
        return cls(
            msp_id=data["msp_id"],
            subject=data["subject"],
            role=parse_word(Role, data["role"], "role"),
            zone=data["zone"],
            display_name=data["display_name"],
        )
