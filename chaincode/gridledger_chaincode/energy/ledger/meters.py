"""Registering (utility only), deactivating and reading meters."""

from __future__ import annotations

from typing import Any

from gridledger_domain.records import Meter
from gridledger_domain.refusals import Conflict, InvalidRequest
from gridledger_domain.vocabulary import (
    BILLED_ROLES,
    SELLING_ROLES,
    EnergySource,
    MeterKind,
    parse_word,
)

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.custodians import parse_custodians, require_custodians
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.participants import load_participant
from gridledger_chaincode.energy.ledger.state import METER, METER_BY_OWNER, State


def register_meter(
    state: State,
    caller: Caller,
    meter_id: str,
    owner: str,
    kind: str,
    source: str,
    zone: str,
    public_key_pem: str,
    *options: str,
) -> Meter:
    """Register a meter; ``options``: its interval length in minutes (default 15; empty text
    for the default), then the data custodians allowed to vouch for it (a JSON array of ids)."""
    caller.require_utility("register meters")
    if len(options) > 2:
        raise InvalidRequest(
            "RegisterMeter takes at most two more arguments: interval length, data custodians"
        )
    minutes = options[0].strip() if options else ""
    try:
        interval_minutes = int(minutes) if minutes else 15
    except ValueError:
        raise InvalidRequest(f"interval length must be whole minutes, got {minutes!r}") from None
    custodians = parse_custodians(options[1], f"meter {meter_id}") if len(options) > 1 else ()
    owner_record = load_participant(state, owner)
    if owner_record.role not in BILLED_ROLES:
        raise InvalidRequest(f"a {owner_record.role.value} cannot own meters")
    meter = Meter(
        meter_id,
        owner,
        parse_word(MeterKind, kind, "meter kind"),
        parse_word(EnergySource, source, "energy source"),
        zone,
        public_key_pem,
        interval_minutes=interval_minutes,
        custodians=custodians,
    )
    if meter.kind is not MeterKind.CONSUMPTION and owner_record.role not in SELLING_ROLES:
        raise InvalidRequest(f"a {owner_record.role.value} cannot own a {meter.kind.value} meter")
    if state.get_raw(METER, meter_id):
        raise Conflict(f"meter {meter_id} is already registered")
    require_custodians(state, custodians, f"meter {meter_id}")
    state.put_json(METER, [meter_id], meter.to_json_dict())
    state.put_raw(METER_BY_OWNER, [owner, meter_id], b"1")
    return meter


def load_meter(state: State, meter_id: str) -> Meter:
    return Meter.from_json_dict(state.require_json(METER, meter_id, f"unknown meter {meter_id}"))


def meters_of(state: State, owner: str) -> list[Meter]:
    """Every meter of ``owner`` (one range query, then the meters read in one call)."""
    rows = state.scan(METER_BY_OWNER, owner)
    return [Meter.from_json_dict(record) for record in state.follow_index(METER, rows, 1)]


def meters_page(state: State, caller: Caller, owner: str, request: PageRequest) -> dict[str, Any]:
    """One page of an owner's meters, by meter id."""
    caller.require_reader_of(owner, f"the meters of {owner}")
    rows, bookmark = state.scan_page(METER_BY_OWNER, [owner], request.size, request.bookmark)
    return page_answer(state.follow_index(METER, rows, 1), bookmark)


def deactivate_meter(state: State, caller: Caller, meter_id: str) -> Meter:
    caller.require_utility("deactivate meters")
    meter = load_meter(state, meter_id)
    if not meter.active:
        raise Conflict(f"meter {meter_id} is already inactive")
    meter = meter.deactivated()
    state.put_json(METER, [meter_id], meter.to_json_dict())
    return meter


def get_meter(state: State, caller: Caller, meter_id: str) -> dict[str, Any]:
    meter = load_meter(state, meter_id)
    caller.require_reader_of(meter.owner, f"meter {meter_id}")
    return meter.to_json_dict()
