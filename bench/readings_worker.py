"""P3 worker: signed meter readings submitted in batches to the ``energy`` contract.

``python -m bench.readings_worker --network FILE --org GridOperatorMSP --chaincode gridledger
--inflight 4 --warmup 2 --duration 10 --prefix P --batch 500`` registers ``--meters`` meters
once (as the utility, with simulated device keys), signs every reading it may need *before* the
timed run (as real meters sign them), then submits ``SubmitReadings`` batches with ``--inflight``
transactions in flight, each batch one meter's next ``--batch`` intervals (so concurrent batches
never share a meter and never conflict). Prints the line protocol of bench/worker_protocol.py.

``--lanes GridOperatorMSP:0,ProsumerMSP:0,...`` (bench/fabric_layout.py) spreads the in-flight
loops round-robin over those organisations' peers: each lane has its own meters, owned by its
organisation's User1, who submits them through that peer's gateway (the utility does in the
utility's organisation). Without it, the utility submits everything through ``--org``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import sys
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from gridledger.energy import EnergyClient, MeterSigner, NotFound
from gridledger.gateway import AsyncContract, GatewayError
from gridledger.profile import ConnectionProfile
from gridledger_domain.meter_data import readings_request

from bench.fabric_layout import Lane, lane_text, loops_per_lane, parse_lanes
from bench.worker_protocol import Window, say, worker_parser

UTILITY = "utility"
OWNER = "User1"
START = datetime(2024, 1, 1, tzinfo=UTC)
STEP_WH = 250
EXPECTED_RATE = 6000  # readings/s: how many to sign ahead so the window never runs dry


def _meter_id(prefix: str, index: int) -> str:
    return f"BENCH-{prefix}{index:04d}"


def _register(
    profile: ConnectionProfile, org: str, chaincode: str, owned: dict[str, list[MeterSigner]]
) -> None:
    """Register each owning org's User1 and its meters once (skipped when the last meter exists);
    ``owned`` maps an organisation to the meters its User1 owns, registered by the utility."""
    last = [m for meters in owned.values() for m in meters][-1]
    with EnergyClient.connect(profile, org, UTILITY, chaincode=chaincode) as utility:
        try:
            utility.meter(last.meter_id)
            return
        except NotFound:
            pass
        for owner_org, meters in owned.items():
            with EnergyClient.connect(profile, owner_org, OWNER, chaincode=chaincode) as owner:
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
    meters = _signers(args.prefix, args.meters)
    await asyncio.to_thread(_register, profile, args.org, args.chaincode, {args.org: meters})
    return meters


def _signers(prefix: str, count: int) -> list[MeterSigner]:
    return [
        MeterSigner.simulated(_meter_id(prefix, i), seed=f"bench {prefix}{i}") for i in range(count)
    ]


@dataclass
class _LanePlan:
    lane: Lane
    user: str  # who submits: the utility in its own organisation, else the org's User1
    meters: list[MeterSigner]
    loops: int


def lane_profile(profile: ConnectionProfile, lane: Lane) -> ConnectionProfile:
    """``profile`` with ``lane``'s peer first in its organisation's list (so it is dialled)."""
    org = profile.organization(lane.msp_id)
    peers = org.peer_addresses
    if lane.peer >= len(peers):
        raise ValueError(f"{lane.msp_id} has {len(peers)} peer(s); no peer {lane.peer}")
    if lane.peer == 0:
        return profile
    rotated = replace(org, peers=peers[lane.peer :] + peers[: lane.peer])
    return replace(profile, organizations={**profile.organizations, lane.msp_id: rotated})


async def _plan_lanes(profile: ConnectionProfile, args: argparse.Namespace) -> list[_LanePlan]:
    lanes = parse_lanes(args.lanes) or (Lane(args.org, 0),)
    if len(lanes) == 1:  # the utility through its own org, meters as without lanes
        meters = await registered_meters(profile, args)
        return [_LanePlan(lanes[0], UTILITY, meters, args.inflight)]
    per_lane = max(1, args.meters // len(lanes))
    plans = [
        _LanePlan(
            lane,
            UTILITY if lane.msp_id == args.org else OWNER,
            _signers(f"{args.prefix}L{index}-", per_lane),
            loops,
        )
        for index, (lane, loops) in enumerate(
            zip(lanes, loops_per_lane(args.inflight, len(lanes)), strict=True)
        )
    ]
    owned: dict[str, list[MeterSigner]] = {}
    for plan in plans:
        owned.setdefault(plan.lane.msp_id, []).extend(plan.meters)
    await asyncio.to_thread(_register, profile, args.org, args.chaincode, owned)
    return [plan for plan in plans if plan.loops]


async def _run(args: argparse.Namespace) -> None:
    profile = ConnectionProfile.load(args.network)
    plans = await _plan_lanes(profile, args)
    needed = int((args.warmup + args.duration) * EXPECTED_RATE / args.batch) + 2 * args.inflight
    lane_batches: list[Iterator[str]] = [
        iter(
            _batches(
                plan.meters,
                args.batch,
                args.first_block,
                math.ceil(needed * plan.loops / args.inflight),
            )
        )
        for plan in plans
    ]
    say({"event": "ready", "batches": needed, "lanes": [lane_text(plan.lane) for plan in plans]})
    async with AsyncExitStack() as stack:
        contracts: list[AsyncContract] = []
        for plan in plans:
            gateway = await stack.enter_async_context(
                lane_profile(profile, plan.lane).aconnect(plan.lane.msp_id, user=plan.user)
            )
            contracts.append(gateway.network(profile.channel).contract(args.chaincode, "energy"))
        begin = time.perf_counter()
        window = Window(begin + args.warmup, begin + args.warmup + args.duration)

        async def loop(contract: AsyncContract, batches: Iterator[str]) -> None:
            for payload in batches:
                if window.tick() >= window.end:
                    return
                sent, transient = readings_request(json.loads(payload))
                await window.submit(contract, "SubmitReadings", *sent, transient=transient)

        await window.run(
            *(
                loop(contract, batches)
                for plan, contract, batches in zip(plans, contracts, lane_batches, strict=True)
                for _ in range(plan.loops)
            )
        )
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
    parser.add_argument(
        "--lanes", default="", help="MSP:PEER,... to spread the loops over (default: --org)"
    )
    asyncio.run(_run(parser.parse_args()))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
