"""A participant: who is on the ledger, recognised from the caller's certificate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridledger_domain.identifiers import participant_id, validate_zone
from gridledger_domain.records.codec import Record
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.vocabulary import Role

MAX_DISPLAY_NAME = 128


@dataclass(frozen=True, slots=True)
class Participant(Record):
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
        return {"participant_id": self.participant_id, **Record.to_json_dict(self)}
