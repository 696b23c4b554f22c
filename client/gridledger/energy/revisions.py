"""Revising closed days: late actual readings for intervals that a day statement estimated."""

from __future__ import annotations

from dataclasses import dataclass

from gridledger.energy.flat_answers import read_flat
from gridledger_domain.records.fields import JsonObject


@dataclass(frozen=True, slots=True)
class DayToRevise:
    """``ListDaysToRevise``: a closed day whose estimated intervals got actual readings."""

    participant: str
    day: int

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> DayToRevise:
        return read_flat(cls, data, instants=("day",))


@dataclass(frozen=True, slots=True)
class DayRevision:
    """``ReviseDay``: ``revised`` (a revision ``revision`` with a true-up of ``true_up_total``
    minor units, carried by the next bill) or ``nothing_to_revise``."""

    participant: str
    day: int
    status: str
    revision: int
    true_up_total: int

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> DayRevision:
        return read_flat(cls, data, instants=("day",))

    @property
    def revised(self) -> bool:
        return self.status == "revised"
