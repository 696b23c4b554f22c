"""What settling a period gave: its bill, and whether the period was settled before."""

from __future__ import annotations

from dataclasses import dataclass

from gridledger_domain.records import Bill


@dataclass(frozen=True, slots=True)
class Settlement:
    """``settle_period``'s answer: ``already_settled`` when the bill was on the ledger before
    the call (it is then returned as stored, and no transaction is sent)."""

    bill: Bill
    already_settled: bool
