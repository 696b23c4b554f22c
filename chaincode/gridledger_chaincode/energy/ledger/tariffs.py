"""Tariff versions on the ledger (set by the utility; never overwritten)."""

from __future__ import annotations

import json
from typing import Any

from gridledger_domain import format_utc, parse_utc
from gridledger_domain.records import Tariff
from gridledger_domain.refusals import Conflict, InvalidRequest

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.closing import closed_on_or_after
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.state import SETTLED_THROUGH, TARIFF, State
from gridledger_chaincode.energy.tariffs import check_new_version


def all_tariffs(state: State) -> list[Tariff]:
    return [Tariff.from_json_dict(record) for record in state.scan_json(TARIFF)]


def tariffs_page(state: State, request: PageRequest) -> dict[str, Any]:
    """One page of the tariff versions, oldest version first (public)."""
    rows, bookmark = state.scan_page(TARIFF, [], request.size, request.bookmark)
    return page_answer([json.loads(value) for _, value in rows], bookmark)


def settled_through(state: State) -> int:
    """The latest end of any period settled before day statements (0 if none)."""
    raw = state.get_raw(SETTLED_THROUGH, "all")
    return parse_utc(raw.decode()) if raw else 0


def set_tariff(state: State, caller: Caller, data: dict[str, Any]) -> Tariff:
    caller.require_utility("set tariffs")
    if not isinstance(data, dict):
        raise InvalidRequest("a tariff must be a JSON object")
    tariff = Tariff.from_json_dict(data)
    check_new_version(all_tariffs(state), tariff)
    through = settled_through(state)
    if tariff.effective_from < through:
        raise Conflict(
            f"tariff version {tariff.version} would change bills already settled up to "
            f"{format_utc(through)}"
        )
    closed = closed_on_or_after(state, tariff.effective_from)
    if closed is not None:
        raise Conflict(
            f"tariff version {tariff.version} would change {format_utc(closed)}, a day already "
            "closed"
        )
    state.put_json(TARIFF, [f"{tariff.version:06d}"], tariff.to_json_dict())
    return tariff
