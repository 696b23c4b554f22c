"""Meter readings as outbox items: one signed reading per meter and interval, each submitted as
a batch of one to the ``energy`` contract's ``SubmitReadings``; registers that only go up."""

from __future__ import annotations

import contextlib
import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gridledger.energy import Conflict, EnergyClient, MeterSigner, SignedReading
from gridledger.outbox import ItemState, Outbox, OutboxItem, TransactionRequest
from gridledger_domain.meter_data import readings_request

from faults.fault_network import CHANNEL, PYTHON_CHAINCODE, FaultNetwork
from faults.ledger_checks import readings_on_ledger

FIRST_INTERVAL = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
LEDGER_WINDOW = (FIRST_INTERVAL, FIRST_INTERVAL + timedelta(days=30))  # where the checks look
OWNER = ("GridOperatorMSP", "CN=fault-test-owner")  # a participant id: MSP id :: subject


def interval_start(index: int) -> str:
    return (FIRST_INTERVAL + timedelta(minutes=15 * index)).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.cache
def meter_signer(meter_id: str) -> MeterSigner:
    return MeterSigner.simulated(meter_id, seed=f"fault tests {meter_id}")


@dataclass(frozen=True)
class Reading:
    meter_id: str
    index: int

    @property
    def interval(self) -> str:
        return interval_start(self.index)

    @property
    def import_wh(self) -> int:
        return 1000 + 250 * self.index

    @property
    def export_wh(self) -> int:
        return 10 * self.index

    @property
    def idempotency_key(self) -> str:
        return f"reading/{self.meter_id}/{self.interval}"

    def signed(self) -> SignedReading:
        return meter_signer(self.meter_id).sign(self.interval, self.import_wh, self.export_wh)

    def request(self) -> TransactionRequest:
        args, transient = readings_request([self.signed().to_json_dict()])
        return TransactionRequest.of(
            CHANNEL,
            PYTHON_CHAINCODE,
            "SubmitReadings",
            args,
            contract="energy",
            transient=transient,
        )


def registers_of(idempotency_key: str) -> tuple[int, int]:
    """(import Wh, export Wh) of the reading an item ``reading/<meter>/<interval>`` submits
    (from its key: the outbox erases an item's transient data, the readings, once finished)."""
    _, meter_id, interval = idempotency_key.split("/", 2)
    start = datetime.strptime(interval, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    reading = Reading(meter_id, (start - FIRST_INTERVAL) // timedelta(minutes=15))
    return reading.import_wh, reading.export_wh


def enqueue_readings(outbox: Outbox, readings: list[Reading]) -> list[OutboxItem]:
    return outbox.enqueue_many([(r.idempotency_key, r.request()) for r in readings])


def register_meters(gateway: Any, meter_ids: list[str]) -> None:
    """As the utility: the owner (once per ledger), then each meter with its device key."""
    energy = EnergyClient.for_network(gateway.network(CHANNEL), PYTHON_CHAINCODE)
    owner = f"{OWNER[0]}::{OWNER[1]}"
    with contextlib.suppress(Conflict):
        energy.register_participant(owner, "consumer", zone="north", display_name="fault tests")
    for meter_id in meter_ids:
        public_key = meter_signer(meter_id).public_key_pem
        energy.register_meter(meter_id, owner, "consumption", "grid", "north", public_key)


def new_registered_meters(network: FaultNetwork, prefix: str, count: int) -> list[str]:
    """``count`` meters no other test uses (``prefix``, a random part, a number), registered."""
    meters = [f"{prefix}-{uuid.uuid4().hex[:8]}-{n}" for n in range(count)]
    with network.connect() as gateway:
        register_meters(gateway, meters)
    return meters


def assert_exactly_once(gateway: Any, outbox: Outbox, meter_ids: list[str]) -> int:
    """Every committed item is on the ledger once with its values; nothing else is; every item
    not committed was reported with a reason. Returns the number of committed readings."""
    committed = {item.idempotency_key for item in outbox.items(ItemState.COMMITTED)}
    for failure in outbox.failures():
        assert failure.reason, f"give-up without a reason: {failure}"
    assert outbox.pending_count() == 0, "items still pending"
    on_ledger: dict[str, tuple[int, int]] = {}
    for meter_id in meter_ids:
        for interval, values in readings_on_ledger(gateway, meter_id, *LEDGER_WINDOW).items():
            on_ledger[f"reading/{meter_id}/{interval}"] = values
    # a meter's day record holds one reading per instant: equal maps mean each reading once
    expected = {key: registers_of(key) for key in committed}
    assert on_ledger == expected
    return len(expected)


def attempt_statistics(outbox: Outbox) -> dict[str, int]:
    """How many transactions were tried per outcome, over every item (what the faults cost)."""
    totals: dict[str, int] = {"items": 0, "transactions": 0}
    for item in outbox.items():
        totals["items"] += 1
        for _, outcome, _ in outbox.transactions(item.id):
            totals["transactions"] += 1
            totals[outcome.value] = totals.get(outcome.value, 0) + 1
    return totals
