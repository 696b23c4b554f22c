"""Participants: who is on the ledger, and who the caller is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridledger.energy.json_fields import as_object, flag, optional_text, text
from gridledger_domain.vocabulary import Role

SEPARATOR = "::"


def split_participant_id(participant_id: str) -> tuple[str, str]:
    """``<MSP id>::<subject>`` -> (MSP id, subject)."""
    msp_id, separator, subject = participant_id.partition(SEPARATOR)
    if not separator or not msp_id or not subject:
        raise ValueError(f"a participant id is '<MSP id>::<subject>', got {participant_id!r}")
    return msp_id, subject


@dataclass(frozen=True, slots=True)
class Participant:
    participant_id: str
    msp_id: str
    subject: str
    role: Role
    zone: str
    display_name: str

    @classmethod
    def from_json(cls, value: Any) -> Participant:
        data = as_object(value, "participant")
        return cls(
            participant_id=text(data, "participant_id"),
            msp_id=text(data, "msp_id"),
            subject=text(data, "subject"),
            role=Role(text(data, "role")),
            zone=text(data, "zone"),
            display_name=text(data, "display_name"),
        )


@dataclass(frozen=True, slots=True)
class CallerInfo:
    """What the contract makes of the caller's certificate (``WhoAmI``)."""

    participant_id: str
    msp_id: str
    role: Role | None
    registered: bool

    @property
    def subject(self) -> str:
        return split_participant_id(self.participant_id)[1]

    @classmethod
    def from_json(cls, value: Any) -> CallerInfo:
        data = as_object(value, "caller")
        role = optional_text(data, "role")
        return cls(
            participant_id=text(data, "participant_id"),
            msp_id=text(data, "msp_id"),
            role=Role(role) if role is not None else None,
            registered=flag(data, "registered"),
        )
