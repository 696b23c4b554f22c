"""The contract's answers, read strictly into the shared records (``gridledger_domain.records``).

A missing or mistyped field is a :class:`ResponseFormatError`: the chaincode answered something
this client does not understand (a different contract version, or not the energy contract).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from gridledger.errors import GridLedgerError
from gridledger_domain.records import Bill
from gridledger_domain.records.fields import JsonObject, as_object
from gridledger_domain.refusals import InvalidRequest

R = TypeVar("R")


class ResponseFormatError(GridLedgerError, ValueError):
    """The contract's answer does not have the expected shape."""


def parse_json(raw: bytes | str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ResponseFormatError(f"the contract did not answer JSON: {exc}") from exc


def read(decode: Callable[[JsonObject], R], value: Any, what: str) -> R:
    """``value`` (parsed JSON) decoded by ``decode`` (a record's ``from_json_dict``)."""
    try:
        return decode(as_object(value, what))
    except InvalidRequest as exc:
        raise ResponseFormatError(f"{what}: {exc.reason}") from None


def read_each(decode: Callable[[JsonObject], R], value: Any, what: str) -> list[R]:
    """A JSON array of records."""
    if not isinstance(value, list):
        raise ResponseFormatError(f"{what}: expected a JSON array, got {type(value).__name__}")
    return [read(decode, item, f"{what}[{index}]") for index, item in enumerate(value)]


def read_bill(raw: bytes) -> Bill:
    """A bill as the ledger stores it; its canonical JSON must re-encode to the same bytes, so
    ``bill.to_json()`` is exactly what was stored (and what the inputs hash commits to)."""
    bill = read(Bill.from_json_dict, parse_json(raw), "bill")
    if bill.to_json() != raw:
        raise ResponseFormatError(f"bill {bill.bill_id}: not in canonical form")
    return bill
