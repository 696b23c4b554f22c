"""P4 worker: consumer-months settled in chaincode by the ``energy`` contract's ``Settle``.

Set-up (once per network, skipped when done): a tariff, ``--consumers`` consumers (devnet users
``bench-c00``... of ProsumerMSP) registered by the utility, one consumption meter each, and one
full month of signed readings per meter (2,880 intervals; submitted in batches of 500). Then the
timed part settles consumers ``--first`` .. ``--first + --count - 1`` for that month with
``--inflight`` settlements in flight; each closes the month's days (one ``CloseDays``
transaction per day, all at once: each reads that day's readings and stores its statement)
and then ``Settle`` assembles and stores the itemised bill. Prints the line protocol of
bench/worker_protocol.py (``ok`` = consumer-months settled; the window is the time they took).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from datetime import UTC, datetime, timedelta

from gridledger.energy import (
    Conflict,
    EnergyClient,
    MeterSigner,
    NotFound,
    Tariff,
    TouBand,
    price_from_minor_per_kwh,
)
from gridledger.gateway import GatewayError
from gridledger.profile import ConnectionProfile
from gridledger_domain import parse_utc

from bench.worker_protocol import result_line, say, worker_parser

UTILITY_ORG = "GridOperatorMSP"
CONSUMER_ORG = "ProsumerMSP"
MONTH_START = datetime(2024, 6, 1, tzinfo=UTC)
MONTH_END = datetime(2024, 7, 1, tzinfo=UTC)
INTERVALS = int((MONTH_END - MONTH_START) / timedelta(minutes=15))  # 2,880
BATCH = 500


def consumer_user(index: int) -> str:
    return f"bench-c{index:02d}"


def bench_tariff() -> Tariff:
    """The bench's tariff: three time-of-use bands, effective from 2024."""
    ct = price_from_minor_per_kwh
    return Tariff(
        1,
        parse_utc("2024-01-01T00:00:00Z"),
        (
            TouBand("night", 0, ct("20")),
            TouBand("day", 420, ct("30")),
            TouBand("peak", 1020, ct("38")),
        ),
        feed_in_price=ct("8"),
        grid_fee=ct("6"),
        fixed_fee_per_day=30,
        tax_rate_bp=1900,
    )


def _setup(profile: ConnectionProfile, consumers: int) -> list[str]:
    """Participant ids of the consumers, each with a meter and a month of readings."""
    ids: list[str] = []
    with EnergyClient.connect(profile, UTILITY_ORG, "utility") as utility:
        if not utility.tariffs(limit=1).all():
            with contextlib.suppress(Conflict):
                utility.set_tariff(bench_tariff())
        for index in range(consumers):
            user = consumer_user(index)
            with EnergyClient.connect(profile, CONSUMER_ORG, user) as consumer:
                me = consumer.whoami()
            ids.append(me.participant_id)
            meter_id = f"BENCH-SETTLE-{index:02d}"
            try:
                utility.meter(meter_id)
                continue  # set up by an earlier point
            except NotFound:
                pass
            if not me.registered:
                with contextlib.suppress(Conflict):
                    utility.register_participant(me, "consumer", zone="north", display_name=user)
            signer = MeterSigner.simulated(meter_id, seed=f"bench settle {index}")
            utility.register_meter(
                meter_id, me.participant_id, "consumption", "grid", "north", signer.public_key_pem
            )
            # INTERVALS + 1 readings: the month's last interval needs the reading at its end
            series = signer.sign_series(MONTH_START, ((i * 120, 0) for i in range(INTERVALS + 1)))
            utility.submit_readings(series, batch_size=BATCH, max_in_flight=4)
    return ids


async def _run(args: argparse.Namespace) -> None:
    profile = ConnectionProfile.load(args.network)
    ids = await asyncio.to_thread(_setup, profile, args.consumers)
    chosen = ids[args.first : args.first + args.count]
    say({"event": "ready"})
    latencies: list[float] = []
    failed = 0
    first_error: str | None = None
    async with profile.aconnect(UTILITY_ORG, user="utility") as gateway:
        contract = gateway.network(profile.channel).contract(args.chaincode, "energy")
        pending = list(reversed(chosen))
        start = (
            MONTH_START.isoformat().replace("+00:00", "Z"),
            MONTH_END.isoformat().replace("+00:00", "Z"),
        )
        days = [
            (MONTH_START + timedelta(days=n)).isoformat().replace("+00:00", "Z")
            for n in range((MONTH_END - MONTH_START).days)
        ]

        async def loop() -> None:
            nonlocal failed, first_error
            while pending:
                participant = pending.pop()
                sent = time.perf_counter()
                try:
                    await asyncio.gather(
                        *(
                            contract.submit("CloseDays", day, json.dumps([participant]), "false")
                            for day in days
                        )
                    )
                    await contract.submit("Settle", participant, *start)
                except GatewayError as exc:
                    failed += 1
                    first_error = first_error or str(exc)[:500]
                else:
                    latencies.append((time.perf_counter() - sent) * 1000.0)

        say({"event": "start"})
        began = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(args.inflight)))
        elapsed = time.perf_counter() - began
        say({"event": "end"})
    say(
        result_line(
            ok=len(latencies),
            failed=failed,
            window_seconds=elapsed,
            latencies_ms=latencies,
            first_error=first_error,
        )
    )


def main() -> None:
    parser = worker_parser(
        __doc__, workload="settle", inflight=1, prefix="", org=UTILITY_ORG, warmup=0.0, duration=0.0
    )
    parser.add_argument("--consumers", type=int, default=12)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, default=4)
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()
