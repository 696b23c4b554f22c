"""Listing a participant's stored bills, page by page."""

from __future__ import annotations

import json
from typing import Any

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.commitments import bill_text
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.state import BILL, State


def bills_page(
    state: State, caller: Caller, participant: str, request: PageRequest
) -> dict[str, Any]:
    """One page of the participant's stored bills by period, oldest first (the key order:
    period start, then period end); each item is the bill as stored (canonical JSON object),
    read from the participant's collection by the public commitments' keys."""
    caller.require_reader_of(participant, f"the bills of {participant}")
    rows, bookmark = state.scan_page(BILL, [participant], request.size, request.bookmark)
    items = [json.loads(bill_text(state, json.loads(value))) for _, value in rows]
    return page_answer(items, bookmark)
