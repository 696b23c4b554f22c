"""The `meters` contract: register meters and record their 15-minute readings.

Keys (composite): `meter` + [meterId] → meter JSON; `reading` + [meterId, intervalStart] →
reading JSON. Registers are cumulative watt-hours, so a reading may not be lower than the one
of the interval before, nor higher than the one after. Each submit sets one chaincode event.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Any

from gridledger_chaincode.contract import Context, Contract, ContractError, query, transaction
from gridledger_chaincode.contract.arguments import to_json
from gridledger_chaincode.contracts.intervals import (
    INTERVAL,
    format_interval_start,
    parse_interval_start,
)

METER = "meter"
READING = "reading"
MAX_WH = 10**15  # one petawatt-hour: far above any meter register, far below int64
_METER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class MeterKind(StrEnum):
    PRODUCTION = "production"
    CONSUMPTION = "consumption"
    BIDIRECTIONAL = "bidirectional"


def _check_meter_id(meter_id: str) -> None:
    if not _METER_ID.fullmatch(meter_id):
        raise ContractError(
            f"meterId {meter_id!r} is invalid: 1-64 characters, letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )


def _check_wh(name: str, value: int) -> None:
    if value < 0:
        raise ContractError(f"{name} must not be negative, got {value}")
    if value > MAX_WH:
        raise ContractError(f"{name} {value} is beyond any meter register (max {MAX_WH})")


def _load(raw: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw)
    return value


class MetersContract(Contract):
    name = "meters"
    title = "GridLedger meters and readings"

    # -- meters -------------------------------------------------------------------------------
    @transaction
    def register_meter(self, ctx: Context, meter_id: str, owner: str, kind: str) -> dict[str, Any]:
        _check_meter_id(meter_id)
        owner = owner.strip()
        if not owner or len(owner) > 128 or not owner.isprintable():
            raise ContractError("owner must be 1-128 printable characters")
        try:
            meter_kind = MeterKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in MeterKind)
            raise ContractError(f"kind {kind!r} is not one of: {allowed}") from None
        stub = ctx.stub
        key = stub.create_composite_key(METER, [meter_id])
        if stub.get_state(key):
            raise ContractError(f"meter {meter_id} is already registered")
        meter = {
            "meterId": meter_id,
            "owner": owner,
            "kind": meter_kind.value,
            "status": "active",
            "registeredBy": ctx.client_identity.msp_id,
            "registeredAt": format_interval_start(stub.tx_timestamp),
        }
        encoded = to_json(meter).encode()
        stub.put_state(key, encoded)
        stub.set_event("MeterRegistered", encoded)
        return meter

    @query
    def get_meter(self, ctx: Context, meter_id: str) -> dict[str, Any]:
        _check_meter_id(meter_id)
        raw = ctx.stub.get_state(ctx.stub.create_composite_key(METER, [meter_id]))
        if not raw:
            raise ContractError(f"meter {meter_id} does not exist")
        return _load(raw)

    # -- readings -----------------------------------------------------------------------------
    @transaction
    def submit_reading(
        self, ctx: Context, meter_id: str, interval_start: str, import_wh: int, export_wh: int
    ) -> dict[str, Any]:
        _check_meter_id(meter_id)
        start = parse_interval_start(interval_start)
        _check_wh("importWh", import_wh)
        _check_wh("exportWh", export_wh)
        stub = ctx.stub
        interval = format_interval_start(start)
        reading_key = stub.create_composite_key(READING, [meter_id, interval])
        before_key = stub.create_composite_key(
            READING, [meter_id, format_interval_start(start - INTERVAL)]
        )
        after_key = stub.create_composite_key(
            READING, [meter_id, format_interval_start(start + INTERVAL)]
        )
        meter_raw, existing_raw, before_raw, after_raw = stub.get_multiple_states(
            [stub.create_composite_key(METER, [meter_id]), reading_key, before_key, after_key]
        )
        if not meter_raw:
            raise ContractError(f"meter {meter_id} is not registered")
        if _load(meter_raw).get("status") != "active":
            raise ContractError(f"meter {meter_id} is not active")
        reading = {
            "meterId": meter_id,
            "intervalStart": interval,
            "importWh": import_wh,
            "exportWh": export_wh,
        }
        written = True
        if existing_raw:
            existing = _load(existing_raw)
            if existing["importWh"] != import_wh or existing["exportWh"] != export_wh:
                raise ContractError(
                    f"meter {meter_id} already has a different reading for {interval} "
                    f"(importWh {existing['importWh']}, exportWh {existing['exportWh']})"
                )
            written = False  # an identical resubmission changes nothing
        else:
            self._check_registers(meter_id, interval, reading, before_raw, after_raw)
            stub.put_state(reading_key, to_json(reading).encode())
        event = {**reading, "written": written}
        stub.set_event("ReadingSubmitted", to_json(event).encode())
        return reading

    @staticmethod
    def _check_registers(
        meter_id: str, interval: str, reading: dict[str, Any], before_raw: bytes, after_raw: bytes
    ) -> None:
        for register in ("importWh", "exportWh"):
            if before_raw and _load(before_raw)[register] > reading[register]:
                raise ContractError(
                    f"{register} of meter {meter_id} goes backwards at {interval}: "
                    f"{reading[register]} is below the previous interval's "
                    f"{_load(before_raw)[register]}"
                )
            if after_raw and _load(after_raw)[register] < reading[register]:
                raise ContractError(
                    f"{register} of meter {meter_id} goes backwards after {interval}: "
                    f"{reading[register]} is above the next interval's {_load(after_raw)[register]}"
                )

    @query
    def get_reading(self, ctx: Context, meter_id: str, interval_start: str) -> dict[str, Any]:
        _check_meter_id(meter_id)
        interval = format_interval_start(parse_interval_start(interval_start))
        raw = ctx.stub.get_state(ctx.stub.create_composite_key(READING, [meter_id, interval]))
        if not raw:
            raise ContractError(f"no reading for meter {meter_id} at {interval}")
        return _load(raw)
