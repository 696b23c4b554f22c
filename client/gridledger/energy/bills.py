"""A bill's verification: the stored bill against a fresh recomputation from the ledger, and
each of its day statements against theirs."""

from __future__ import annotations

from dataclasses import dataclass

from gridledger.energy.flat_answers import read_flat
from gridledger_domain.records.fields import JsonObject, flag


@dataclass(frozen=True, slots=True)
class DayStatementVerification:
    """``VerifyDayStatement``: one day statement recomputed from the ledger's readings, trades,
    tariff and certificates (``day``: its UTC midnight, as asked)."""

    day: int
    statement_id: str
    matches: bool
    stored_inputs_hash: str
    recomputed_inputs_hash: str
    stored_total: int
    recomputed_total: int

    @classmethod
    def from_json_dict(cls, data: JsonObject, day: int) -> DayStatementVerification:
        return read_flat(cls, data, day=day)


@dataclass(frozen=True, slots=True)
class BillVerification:
    """``VerifyBill``: the stored bill against a fresh recomputation from the ledger.

    The client's ``verify_bill`` adds ``days``, each day statement's verification (none for a
    bill settled before day statements existed); ``matches`` is then true only when the bill's
    assembly (``assembly_matches``) and every day match (``mismatched_days`` names the others).
    """

    bill_id: str
    matches: bool
    stored_inputs_hash: str
    recomputed_inputs_hash: str
    stored_total: int
    recomputed_total: int
    assembly_matches: bool = True
    days: tuple[DayStatementVerification, ...] = ()

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> BillVerification:
        return read_flat(cls, data, assembly_matches=flag(data, "matches"))

    @property
    def mismatched_days(self) -> tuple[DayStatementVerification, ...]:
        return tuple(day for day in self.days if not day.matches)
