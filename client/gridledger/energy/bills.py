"""A bill's verification: the stored bill against a fresh recomputation from the ledger, and
each of its day statements against theirs."""

from __future__ import annotations

from dataclasses import dataclass

from gridledger_domain.records.fields import JsonObject, flag, integer, text


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
        return cls(
            day=day,
            statement_id=text(data, "statement_id"),
            matches=flag(data, "matches"),
            stored_inputs_hash=text(data, "stored_inputs_hash"),
            recomputed_inputs_hash=text(data, "recomputed_inputs_hash"),
            stored_total=integer(data, "stored_total"),
            recomputed_total=integer(data, "recomputed_total"),
        )


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
        matches = flag(data, "matches")
        return cls(
            bill_id=text(data, "bill_id"),
            matches=matches,
            stored_inputs_hash=text(data, "stored_inputs_hash"),
            recomputed_inputs_hash=text(data, "recomputed_inputs_hash"),
            stored_total=integer(data, "stored_total"),
            recomputed_total=integer(data, "recomputed_total"),
            assembly_matches=matches,
        )

    @property
    def mismatched_days(self) -> tuple[DayStatementVerification, ...]:
        return tuple(day for day in self.days if not day.matches)
