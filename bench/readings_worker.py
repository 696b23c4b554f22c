"""P3 worker: signed meter readings submitted in batches to the ``energy`` contract.

``python -m bench.readings_worker --network FILE --org GridOperatorMSP --chaincode gridledger
--inflight 4 --warmup 2 --duration 10 --prefix P --batch 500`` registers ``--meters`` meters
once (as the utility, with simulated device keys), signs every reading it may need *before* the
timed run (as real meters sign them), then submits ``SubmitReadings`` batches with ``--inflight``
transactions in flight, each batch one meter's next ``--batch`` intervals (so concurrent batches
never share a meter and never conflict). Prints the line protocol of bench/worker_protocol.py.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from gridledger.energy import EnergyClient, MeterSigner, NotFound
from gridledger.gateway import AsyncContract, GatewayError
from gridledger.profile import ConnectionProfile
from gridledger_domain.meter_data import readings_request

from bench.worker_protocol import Window, say, worker_parser

UTILITY = "utility"
OWNER = "User1"
START = datetime(2024, 1, 1, tzinfo=UTC)
STEP_WH = 250
EXPECTED_RATE = 6000  # readings/s: how many to sign ahead so the window never runs dry


def _meter_id(prefix: str, index: int) -> str:
    return f"BENCH-{prefix}{index:04d}"


def _register(
    profile: ConnectionProfile, org: str, chaincode: str, meters: list[MeterSigner]
) -> None:
    """Register the owner and every meter once (skipped when the last meter exists)."""
    with EnergyClient.connect(profile, org, UTILITY, chaincode=chaincode) as utility:
        try:
            utility.meter(meters[-1].meter_id)
            return
        except NotFound:
            pass
        with EnergyClient.connect(profile, org, OWNER, chaincode=chaincode) as owner:
            me = owner.whoami()
        try:
            utility.register_participant(me, "consumer", zone="north", display_name="bench")
        except GatewayError as exc:  # already registered by an earlier point
            if "already" not in str(exc).lower():
                raise
        for signer in meters:
            utility.register_meter(
                signer.meter_id,
                me.participant_id,
                "consumption",
                "grid",
                "north",
                signer.public_key_pem,
            )


def signed_batch(signer: MeterSigner, batch: int, block: int) -> str:
    """JSON of the meter's ``block``-th run of ``batch`` signed readings (registers only go up)."""
    start = START + timedelta(minutes=15 * batch * block)
    base = batch * block * STEP_WH
    series = signer.sign_series(start, ((base + i * STEP_WH, 0) for i in range(batch)))
    return json.dumps([s.to_json_dict() for s in series])


def _batches(meters: list[MeterSigner], batch: int, first_block: int, count: int) -> list[str]:
    """``count`` JSON batches: round-robin over meters, each the meter's next ``batch`` readings."""
    out: list[str] = []
    blocks = itertools.count(first_block)
    while len(out) < count:
        block = next(blocks)
        for signer in meters:
            out.append(signed_batch(signer, batch, block))
            if len(out) == count:
                break
    return out


async def registered_meters(
    profile: ConnectionProfile, args: argparse.Namespace
) -> list[MeterSigner]:
    """``--meters`` simulated meters of ``--prefix``, registered once (as the utility)."""
    meters = [
        MeterSigner.simulated(_meter_id(args.prefix, i), seed=f"bench {args.prefix}{i}")
        for i in range(args.meters)
    ]
    await asyncio.to_thread(_register, profile, args.org, args.chaincode, meters)
    return meters


async def _run(args: argparse.Namespace) -> None:
    profile = ConnectionProfile.load(args.network)
    meters = await registered_meters(profile, args)
    needed = int((args.warmup + args.duration) * EXPECTED_RATE / args.batch) + 2 * args.inflight
    batches: Iterator[str] = iter(_batches(meters, args.batch, args.first_block, needed))
    say({"event": "ready", "batches": needed})
    async with profile.aconnect(args.org, user=UTILITY) as gateway:
        contract: AsyncContract = gateway.network(profile.channel).contract(
            args.chaincode, "energy"
        )
        begin = time.perf_counter()
        window = Window(begin + args.warmup, begin + args.warmup + args.duration)

        async def loop() -> None:
            for payload in batches:
                if window.tick() >= window.end:
                    return
                sent, transient = readings_request(json.loads(payload))
                await window.submit(contract, "SubmitReadings", *sent, transient=transient)

        await window.run(*(loop() for _ in range(args.inflight)))
    result = window.result(args.duration)
    result["first_error"] = window.first_error or (
        None if window.ended else "ran out of pre-signed readings before the window ended"
    )
    say(result)


def add_meter_options(parser: argparse.ArgumentParser) -> None:
    """How many readings a batch holds, how many meters, and the first block of each meter."""
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--meters", type=int, default=64)
    parser.add_argument("--first-block", type=int, default=0)


def main() -> None:
    parser = worker_parser(__doc__, workload="readings", inflight=4, prefix="p3-")
    add_meter_options(parser)
    asyncio.run(_run(parser.parse_args()))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
