"""``python -m bench.settle_cost``: the contract's own CPU to bill one single-meter consumer,
without a network, and what it implies for billing consumers at scale.

A day statement of one 15-minute meter: its 97 stored readings rebuilt from a day record,
``settle`` (the statement and its inputs hash), the statement's canonical JSON; a month's bill:
30 stored statements decoded, assembled and encoded. Each endorsing peer runs this once per
transaction, so with both organisations endorsing the contract alone spends twice the printed
cost per consumer-month, before any message, peer, ordering or client work.

    python -m bench.settle_cost [--repeat 300] [--consumers 10000] [--cores N]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable

from gridledger.energy import MeterSigner
from gridledger_chaincode.energy.assembly import assemble
from gridledger_chaincode.energy.ledger.meter_data import signed_from_stored
from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.settlement import settle
from gridledger_chaincode.energy.settlement_inputs import SettlementInputs, select_inputs
from gridledger_domain import MeterReading, SignedReading, parse_utc, sign
from gridledger_domain.canonical import canonical_json
from gridledger_domain.records import Bill, Meter
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS
from gridledger_domain.vocabulary import EnergySource, MeterKind

from bench.p4_worker import CONSUMED_WH, _consumer_signer
from bench.settlement_worker import bench_tariff

OWNER = "ProsumerMSP::CN=settle-cost"
MONTH_START = parse_utc("2024-06-01T00:00:00Z")
DAYS = 30
ENDORSING_ORGS = 2
TARGET_SECONDS = 600.0  # issue 16: 10,000 consumer-months in 10 minutes


def _ms_each(action: Callable[[], object], repeat: int) -> float:
    """CPU milliseconds (this process's, so other load on the machine does not count) per call."""
    begin = time.process_time()
    for _ in range(repeat):
        action()
    return (time.process_time() - begin) / repeat * 1000


def _day_record(signer: MeterSigner, day: int) -> bytes:
    """One day's readings of the consumer's meter as its day record stores them."""
    first = (day - MONTH_START) // INTERVAL_SECONDS
    readings = [
        sign(
            MeterReading(signer.meter_id, day + i * INTERVAL_SECONDS, (first + i) * CONSUMED_WH, 0),
            signer.key,
        )
        for i in range(DAY_SECONDS // INTERVAL_SECONDS + 1)
    ]
    return canonical_json([s.to_json_dict() for s in readings], checked=False)


def measure(repeat: int) -> dict[str, float]:
    signer = _consumer_signer("SETTLE-COST")
    meter = Meter(
        signer.meter_id,
        OWNER,
        MeterKind.CONSUMPTION,
        EnergySource.GRID,
        "north",
        signer.public_key_pem,
    )
    tariff = bench_tariff()
    records = [_day_record(signer, MONTH_START + d * DAY_SECONDS) for d in range(DAYS)]

    def rebuilt(record: bytes) -> list[SignedReading]:
        return [signed_from_stored(data) for data in json.loads(record)]

    def day_inputs(d: int) -> SettlementInputs:
        day = MONTH_START + d * DAY_SECONDS
        period = Period(day, day + DAY_SECONDS)
        return select_inputs(OWNER, period, [meter], rebuilt(records[d]), [], [tariff], [])

    first_inputs = day_inputs(0)
    first = settle(first_inputs)
    stored = [settle(day_inputs(d)).to_json() for d in range(DAYS)]
    month = Period(MONTH_START, MONTH_START + DAYS * DAY_SECONDS)
    rates = {tariff.version: tariff.tax_rate_bp}

    def month_bill() -> bytes:
        statements = [Bill.from_json_dict(json.loads(raw)) for raw in stored]
        return assemble(OWNER, month, statements, [], rates).to_json()

    return {
        "rebuild": _ms_each(lambda: rebuilt(records[0]), repeat),
        "settle": _ms_each(lambda: settle(first_inputs), repeat),
        "encode": _ms_each(first.to_json, repeat),
        "month": _ms_each(month_bill, max(repeat // 10, 3)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.settle_cost")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--consumers", type=int, default=10_000)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    cost = measure(args.repeat)
    day = cost["rebuild"] + cost["settle"] + cost["encode"]
    per_bill = (DAYS * day + cost["month"]) * ENDORSING_ORGS
    total = per_bill * args.consumers / 1000
    print("contract CPU per single-meter consumer (one endorsement):")
    print(
        f"  a day statement: rebuild 97 readings {cost['rebuild']:.3f} ms, "
        f"settle (with inputs hash) {cost['settle']:.3f} ms, encode {cost['encode']:.3f} ms "
        f"= {day:.3f} ms"
    )
    print(f"  a month's bill from 30 statements: {cost['month']:.2f} ms")
    print(f"per consumer-month, {ENDORSING_ORGS} organisations endorsing: {per_bill:.1f} ms")
    print(
        f"{args.consumers:,} consumer-months: {total:,.0f} s of contract CPU alone = "
        f"{total / args.cores:,.0f} s on {args.cores} core(s) used perfectly "
        f"(target {TARGET_SECONDS:.0f} s for everything); at most "
        f"{args.cores * 1000 / per_bill:.1f} bills/s from the contract's CPU alone"
    )


if __name__ == "__main__":
    main()
