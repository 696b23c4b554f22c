"""Data custodians (utility only): registered with their public key, named by the meters they
may vouch for; a signed reading naming one as its ``signer`` is verified against its key."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from gridledger_domain.records import DataCustodian, Meter
from gridledger_domain.records.custodians import validate_custodian_id, validate_custodian_ids
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest, NotFound

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.state import CUSTODIAN, METER, State


def register_custodian(
    state: State, caller: Caller, custodian_id: str, public_key_pem: str, display_name: str
) -> DataCustodian:
    caller.require_utility("register data custodians")
    custodian = DataCustodian(custodian_id, public_key_pem, display_name)
    if state.get_raw(CUSTODIAN, custodian_id):
        raise Conflict(f"data custodian {custodian_id} is already registered")
    state.put_json(CUSTODIAN, [custodian_id], custodian.to_json_dict())
    return custodian


def custodians_by_id(state: State, ids: Iterable[str]) -> dict[str, DataCustodian]:
    """The registered custodians among ``ids`` (point reads in one call)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    raws = state.stub.get_multiple_states([state.key(CUSTODIAN, c) for c in wanted])
    return {
        custodian_id: DataCustodian.from_json_dict(json.loads(raw))
        for custodian_id, raw in zip(wanted, raws, strict=True)
        if raw
    }


def require_custodians(state: State, ids: tuple[str, ...], what: str) -> None:
    """Refuse ``ids`` unless every one is a registered data custodian."""
    known = custodians_by_id(state, ids)
    unknown = [c for c in ids if c not in known]
    if unknown:
        raise NotFound(f"{what}: unknown data custodian {', '.join(unknown)}")


def parse_custodians(value: Any, what: str) -> tuple[str, ...]:
    """A JSON array of custodian ids (text in a transaction argument, or already a list)."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError:
            raise InvalidRequest(f"{what}: expected a JSON array of data custodian ids") from None
    return validate_custodian_ids(value, what)


def get_custodian(state: State, caller: Caller, custodian_id: str) -> dict[str, Any]:
    _require_reader(caller)
    validate_custodian_id(custodian_id)
    return state.require_json(CUSTODIAN, custodian_id, f"unknown data custodian {custodian_id}")


def custodians_page(state: State, caller: Caller, request: PageRequest) -> dict[str, Any]:
    """One page of the registered data custodians, by id."""
    _require_reader(caller)
    rows, bookmark = state.scan_page(CUSTODIAN, [], request.size, request.bookmark)
    return page_answer([json.loads(value) for _, value in rows], bookmark)


def set_meter_custodians(state: State, caller: Caller, meter_id: str, value: Any) -> Meter:
    """Name the data custodians allowed to vouch for a meter (replacing the list; empty: none)."""
    caller.require_utility("set a meter's data custodians")
    ids = parse_custodians(value, f"meter {meter_id}")
    meter = Meter.from_json_dict(state.require_json(METER, meter_id, f"unknown meter {meter_id}"))
    require_custodians(state, ids, f"meter {meter_id}")
    meter = meter.with_custodians(ids)
    state.put_json(METER, [meter_id], meter.to_json_dict())
    return meter


def _require_reader(caller: Caller) -> None:
    if not caller.is_utility and caller.participant is None:
        raise AccessDenied(f"caller {caller.participant_id} is not registered")
