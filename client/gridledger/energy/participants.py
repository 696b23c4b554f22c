"""Who the caller is, as the contract sees it (``WhoAmI``)."""

from __future__ import annotations

from dataclasses import dataclass

from gridledger_domain.identifiers import split_participant_id
from gridledger_domain.records.fields import JsonObject, flag, text, word
from gridledger_domain.vocabulary import Role


@dataclass(frozen=True, slots=True)
class CallerInfo:
    """What the contract makes of the caller's certificate: its participant id, and its role
    once the utility has registered it."""

    participant_id: str
    msp_id: str
    role: Role | None
    registered: bool

    @property
    def subject(self) -> str:
        return split_participant_id(self.participant_id)[1]

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> CallerInfo:
        return cls(
            participant_id=text(data, "participant_id"),
            msp_id=text(data, "msp_id"),
            role=word(data, "role", Role, "role") if data.get("role") is not None else None,
            registered=flag(data, "registered"),
        )
