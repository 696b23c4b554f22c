"""A bill's verification: the stored bill against a fresh recomputation from the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from gridledger_domain.records.fields import JsonObject, flag, integer, text


@dataclass(frozen=True, slots=True)
class BillVerification:
    """``VerifyBill``: the stored bill against a fresh recomputation from the ledger."""

    bill_id: str
    matches: bool
    stored_inputs_hash: str
    recomputed_inputs_hash: str
    stored_total: int
    recomputed_total: int

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> BillVerification:
        return cls(
            bill_id=text(data, "bill_id"),
            matches=flag(data, "matches"),
            stored_inputs_hash=text(data, "stored_inputs_hash"),
            recomputed_inputs_hash=text(data, "recomputed_inputs_hash"),
            stored_total=integer(data, "stored_total"),
            recomputed_total=integer(data, "recomputed_total"),
        )
