"""P4scale worker: seeds the ledger through the client as its users would, then times one thing.

    python -m bench.p4_worker certificates --network FILE --prefix R1- --certificates 100000
    python -m bench.p4_worker week-offer --network FILE --prefix R1- --holder-certificates 100000

``certificates``: the utility registers the holder (devnet user ``bench-holder``) as a producer
and ``HolderLayout.meters`` solar meters for it, then submits every meter's signed readings
(each interval exports, so each closes one certificate) with ``EnergyClient.submit_readings``
(batches of 500, ``--inflight`` in flight), one run of 500 readings of every meter per call,
the next run signed in a thread meanwhile; then the holder lists its certificates with the
client's ``certificates()`` listing, ``--page-size`` a page, timing every page.

``week-offer``: a whole 7-day offer (672 intervals) bought in one ``buy`` call, ``--repeats``
times from a seller with one meter and two weeks of readings (devnet user ``bench-seller``),
and as many times from the certificate holder's meters (after ``certificates``, so the seller
holds ``--holder-certificates``). The buyer is devnet user ``bench-buyer``.

Progress goes to stderr; the last stdout line is one JSON object, the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gridledger.energy import (
    AsyncEnergyClient,
    Conflict,
    EnergyClient,
    MeterSigner,
    NotFound,
    SignedReading,
    price_from_minor_per_kwh,
)
from gridledger.gateway import GatewayError
from gridledger.profile import ConnectionProfile

from bench.p4plan import HolderLayout, chunks, groups, holder_layout
from bench.settlement_worker import INTERVALS as MONTH_INTERVALS
from bench.settlement_worker import MONTH_END, MONTH_START, bench_tariff

UTILITY_ORG = "GridOperatorMSP"
USERS_ORG = "ProsumerMSP"
UTILITY = "utility"
HOLDER = "bench-holder"
SELLER = "bench-seller"
BUYER = "bench-buyer"

START = datetime(2023, 1, 2, tzinfo=UTC)  # a Monday; the holder's readings run from here
EXPORT_WH = 250  # every interval of a holder's or seller's meter exports this much
CONSUMED_WH = 120  # every interval of a billed consumer's meter imports this much
WEEK = 7 * 96
BOUGHT_WH = 200
PRICE = price_from_minor_per_kwh("7")
TIMEOUT = 120.0
SEED_INFLIGHT = 8  # submit_readings batches in flight while seeding (not timed)


def _progress(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def holder_meter_id(prefix: str, index: int) -> str:
    return f"P4C-{prefix}{index:03d}"


def holder_signer(prefix: str, index: int) -> MeterSigner:
    meter_id = holder_meter_id(prefix, index)
    return MeterSigner.simulated(meter_id, seed=f"bench p4 {meter_id}")


def _registered(utility: EnergyClient, client: EnergyClient, role: str, name: str) -> str:
    me = client.whoami()
    if not me.registered:
        with contextlib.suppress(Conflict):
            utility.register_participant(me, role, zone="north", display_name=name)
    return me.participant_id


def _register_meter(
    utility: EnergyClient, signer: MeterSigner, owner: str, kind: str, source: str
) -> bool:
    """Register a meter for ``owner``; False when it already exists."""
    try:
        utility.meter(signer.meter_id)
        return False
    except NotFound:
        pass
    utility.register_meter(signer.meter_id, owner, kind, source, "north", signer.public_key_pem)
    return True


Registers = Callable[[int], tuple[int, int]]  # reading index -> (import Wh, export Wh)


def exporting(index: int) -> tuple[int, int]:
    return 0, EXPORT_WH * index


def consuming(index: int) -> tuple[int, int]:
    return CONSUMED_WH * index, 0


def _series(
    signer: MeterSigner, start: datetime, indexes: range, registers: Registers
) -> Iterator[SignedReading]:
    """The meter's readings ``indexes`` (reading ``i`` at ``start`` + ``i`` intervals)."""
    first = start + timedelta(minutes=15 * indexes.start)
    return signer.sign_series(first, (registers(i) for i in indexes))


def submit_series(
    utility: EnergyClient,
    signers: Sequence[MeterSigner],
    per_meter: int,
    start: datetime,
    registers: Registers,
    inflight: int,
    what: str,
) -> dict[str, Any]:
    """``per_meter`` readings of every meter from ``start`` through ``submit_readings``: each
    call holds one run of 500 readings of every meter (its batches share no meter), the next
    run is signed in a thread meanwhile. How many were submitted and how long it took."""
    runs = list(chunks(per_meter))

    def sign(indexes: range) -> list[SignedReading]:
        return [r for signer in signers for r in _series(signer, start, indexes, registers)]

    total = per_meter * len(signers)
    begin = time.perf_counter()
    submitted = 0
    with ThreadPoolExecutor(1) as signing:
        upcoming: Future[list[SignedReading]] = signing.submit(sign, runs[0])
        for number in range(1, len(runs) + 1):
            readings = upcoming.result()
            if number < len(runs):
                upcoming = signing.submit(sign, runs[number])
            utility.submit_readings(readings, max_in_flight=inflight, timeout=TIMEOUT)
            submitted += len(readings)
            elapsed = time.perf_counter() - begin
            _progress(
                f"  seeding {what}: {submitted:,} / {total:,} readings, "
                f"{submitted / elapsed:,.0f} readings/s"
            )
    return {"seeded": submitted, "seed_seconds": time.perf_counter() - begin}


def seed_holder(
    profile: ConnectionProfile, prefix: str, layout: HolderLayout, inflight: int
) -> dict[str, Any]:
    """Register the holder and its meters, submit their readings; how long it took."""
    signers = [holder_signer(prefix, m) for m in range(layout.meters)]
    with (
        EnergyClient.connect(profile, UTILITY_ORG, UTILITY) as utility,
        EnergyClient.connect(profile, USERS_ORG, HOLDER) as holder,
    ):
        owner = _registered(utility, holder, "producer", "bench holder")
        if not _register_meter(utility, signers[-1], owner, "production", "solar"):
            return {"seeded": 0, "seed_seconds": 0.0}  # seeded by an earlier run
        for signer in signers[:-1]:
            _register_meter(utility, signer, owner, "production", "solar")
        return submit_series(
            utility,
            signers,
            layout.readings_per_meter,
            START,
            exporting,
            inflight,
            "the certificate holder",
        )


def list_certificates(
    profile: ConnectionProfile, page_size: int, expected: int | None = None
) -> dict[str, Any]:
    """The holder's certificates, page by page through ``certificates()``; each page timed."""
    page_ms: list[float] = []
    listed = 0
    with EnergyClient.connect(profile, USERS_ORG, HOLDER) as holder:
        listing = holder.certificates(page_size=page_size, timeout=TIMEOUT)
        bookmark = ""
        begin = time.perf_counter()
        while True:
            sent = time.perf_counter()
            page = listing.page(bookmark)
            page_ms.append((time.perf_counter() - sent) * 1000.0)
            listed += len(page.items)
            if len(page_ms) % 100 == 0:
                _progress(f"  listed {listed:,} of {expected or '?'} certificates")
            if page.last:
                break
            bookmark = page.bookmark
        seconds = time.perf_counter() - begin
    return {"listed": listed, "list_seconds": seconds, "page_ms": page_ms}


def _timed_buy(buyer: EnergyClient, seller: EnergyClient, meter_id: str, start: datetime) -> float:
    offer = seller.post_offer(meter_id, start, WEEK, 1000, PRICE, timeout=TIMEOUT)
    sent = time.perf_counter()
    trades = buyer.buy(offer.offer_id, BOUGHT_WH, timeout=TIMEOUT)
    seconds = time.perf_counter() - sent
    if len(trades) != WEEK:
        raise RuntimeError(f"bought {len(trades)} intervals, expected {WEEK}")
    return seconds


def week_offers(
    profile: ConnectionProfile, prefix: str, repeats: int, holder: HolderLayout | None
) -> dict[str, Any]:
    """Seconds per ``buy`` of a whole week, from a one-meter seller and from the holder."""
    out: dict[str, Any] = {"small_seller_seconds": [], "holder_seconds": [], "holder_errors": []}
    with (
        EnergyClient.connect(profile, UTILITY_ORG, UTILITY) as utility,
        EnergyClient.connect(profile, USERS_ORG, SELLER) as seller,
        EnergyClient.connect(profile, USERS_ORG, BUYER) as buyer,
    ):
        seller_id = _registered(utility, seller, "producer", "bench seller")
        _registered(utility, buyer, "consumer", "bench buyer")
        for repeat in range(repeats):
            meter_id = f"P4W-{prefix}{repeat:02d}"
            signer = MeterSigner.simulated(meter_id, seed=f"bench p4 {meter_id}")
            _register_meter(utility, signer, seller_id, "production", "solar")
            # two weeks: the week offered and the one before (the seller's certificates of it
            # stay active, as in tests/integration/energy/test_energy_week_offer.py)
            utility.submit_readings(
                _series(signer, START, range(2 * WEEK + 1), exporting),
                max_in_flight=1,
                timeout=TIMEOUT,
            )
            seconds = _timed_buy(buyer, seller, signer.meter_id, START + timedelta(days=7))
            out["small_seller_seconds"].append(seconds)
            _progress(f"  week offer bought from a one-meter seller in {seconds:.2f} s")
        if holder is not None:
            with EnergyClient.connect(profile, USERS_ORG, HOLDER) as holding:
                for repeat in range(min(repeats, holder.meters)):
                    meter_id = holder_meter_id(prefix, repeat)
                    try:
                        seconds = _timed_buy(buyer, holding, meter_id, START)
                    except GatewayError as exc:  # reported as the figure: the buy was refused
                        out["holder_errors"].append(str(exc).splitlines()[0][-300:])
                        _progress(f"  week offer from the holder refused: {exc}")
                        continue
                    out["holder_seconds"].append(seconds)
                    _progress(
                        f"  week offer bought from the holder of {holder.certificates_earned:,} "
                        f"certificates in {seconds:.2f} s"
                    )
    return out


def _day_text(day: datetime) -> str:
    return day.strftime("%Y-%m-%dT%H:%M:%SZ")


DAYS = [_day_text(MONTH_START + timedelta(days=d)) for d in range((MONTH_END - MONTH_START).days)]


async def close_days(utility: AsyncEnergyClient, day: str, ids: Sequence[str]) -> None:
    """``CloseDays`` of ``day`` for ``ids``; raises unless every one is closed now or before."""
    raw = await utility.contract.submit(
        "CloseDays", day, json.dumps(list(ids)), "false", timeout=TIMEOUT
    )
    answer = json.loads(raw)
    refused = [r for r in answer["results"] if r["status"] not in ("closed", "already_closed")]
    if refused:
        raise RuntimeError(f"CloseDays {day}: {len(refused)} not closed, first {refused[0]}")


async def _registered_by_id(
    utility: AsyncEnergyClient, participants: Sequence[str], signers: Sequence[MeterSigner]
) -> None:
    """Register each participant (a consumer, by id) and its meters, 8 transactions at once."""
    gate = asyncio.Semaphore(8)

    async def participant(pid: str) -> None:
        async with gate:
            with contextlib.suppress(Conflict):
                await utility.register_participant(
                    pid, "consumer", zone="north", display_name=pid.rpartition("=")[2]
                )

    async def meter(owner: str, signer: MeterSigner) -> None:
        async with gate:
            await utility.register_meter(
                signer.meter_id, owner, "consumption", "grid", "north", signer.public_key_pem
            )

    await asyncio.gather(*(participant(pid) for pid in participants))
    owners = participants if len(participants) == len(signers) else [participants[0]] * len(signers)
    await asyncio.gather(*(meter(o, s) for o, s in zip(owners, signers, strict=True)))


def _consumer_signer(name: str) -> MeterSigner:
    return MeterSigner.simulated(name, seed=f"bench p4 {name}")


async def _seed_billing(
    profile: ConnectionProfile,
    participants: Sequence[str],
    signers: Sequence[MeterSigner],
    what: str,
) -> dict[str, Any]:
    async with AsyncEnergyClient.connect(profile, UTILITY_ORG, UTILITY) as utility:
        if not await utility.tariffs(limit=1).all():
            with contextlib.suppress(Conflict):
                await utility.set_tariff(bench_tariff())
        await _registered_by_id(utility, participants, signers)
    with EnergyClient.connect(profile, UTILITY_ORG, UTILITY) as sync_utility:
        return await asyncio.to_thread(
            submit_series,
            sync_utility,
            signers,
            MONTH_INTERVALS + 1,  # the month's last interval needs the reading at its end
            MONTH_START,
            consuming,
            SEED_INFLIGHT,
            what,
        )


async def bill_customer(
    profile: ConnectionProfile, prefix: str, meters: int, inflight: int
) -> dict[str, Any]:
    """One customer with ``meters`` meters: a month's readings (not timed), then (timed) its 30
    days closed, one ``CloseDays`` per day, ``inflight`` at once (days close in any order), and
    the month settled."""
    pid = f"{USERS_ORG}::CN=p4-{prefix}customer"
    signers = [_consumer_signer(f"P4M-{prefix}{m:03d}") for m in range(meters)]
    out = {"meters": meters, "intervals": meters * MONTH_INTERVALS, "inflight": inflight}
    out |= await _seed_billing(profile, [pid], signers, f"a {meters}-meter customer")
    async with AsyncEnergyClient.connect(profile, UTILITY_ORG, UTILITY) as utility:
        gate = asyncio.Semaphore(inflight)
        day_seconds: list[float] = []

        async def close(day: str) -> None:
            async with gate:
                sent = time.perf_counter()
                await close_days(utility, day, [pid])
                day_seconds.append(time.perf_counter() - sent)

        begin = time.perf_counter()
        await asyncio.gather(*(close(day) for day in DAYS))
        closed = time.perf_counter()
        bill = await utility.settle(pid, MONTH_START, MONTH_END, timeout=TIMEOUT)
        done = time.perf_counter()
    _progress(f"  customer billed: total {bill.total} minor units")
    return out | {
        "close_seconds": closed - begin,
        "slowest_day_seconds": max(day_seconds),
        "settle_seconds": done - closed,
    }


PASS_DONE = re.compile(r"pass done: (\d+) day\(s\) closed, .*?(\d+) bill\(s\) issued")


def run_billing_runner(network_json: Path) -> dict[str, Any]:
    """``gridledger billing run --once`` over June 2024 on the network whose profile is
    ``network_json`` (its folder is the devnet's home); how long it took and what it did."""
    gridledger = Path(sys.executable).parent / "gridledger"
    argv = [str(gridledger), "billing", "run", "--once", "--home", str(network_json.parent)]
    argv += ["--since", MONTH_START.date().isoformat(), "--until", MONTH_END.date().isoformat()]
    begin = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - begin
    found = PASS_DONE.search(done.stdout)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"billing runner exited {done.returncode}: {done.stdout[-2000:]}")
    _progress(f"  {found.group(0)} in {seconds:.1f} s")
    return {"seconds": seconds, "days_closed": int(found[1]), "bills": int(found[2])}


async def bill_consumers(
    profile: ConnectionProfile,
    prefix: str,
    count: int,
    per_call: int,
    inflight: int,
    runner: Path | None,
) -> dict[str, Any]:
    """``count`` single-meter consumers: a month's readings each (not timed), then (timed) the
    month billed: by ``gridledger billing run --once`` when ``runner`` (the network profile) is
    given, else by ``CloseDays`` calls of ``per_call`` consumers and one day, ``inflight`` calls
    at once (days close in any order), then a ``Settle`` of each month, ``inflight`` at once."""
    ids = [f"{USERS_ORG}::CN=p4-{prefix}consumer-{i:05d}" for i in range(count)]
    signers = [_consumer_signer(f"P4B-{prefix}{i:05d}") for i in range(count)]
    out = {"consumers": count, "per_call": per_call, "inflight": inflight}
    out |= await _seed_billing(profile, ids, signers, f"{count} consumers")
    if runner is not None:
        return out | {"via": "runner"} | await asyncio.to_thread(run_billing_runner, runner)
    async with AsyncEnergyClient.connect(profile, UTILITY_ORG, UTILITY) as utility:
        gate = asyncio.Semaphore(inflight)

        async def close(day: str, group: list[str]) -> None:
            async with gate:
                await close_days(utility, day, group)

        async def settle(pid: str) -> None:
            async with gate:
                await utility.settle(pid, MONTH_START, MONTH_END, timeout=TIMEOUT)

        begin = time.perf_counter()
        await asyncio.gather(*(close(d, g) for g in groups(ids, per_call) for d in DAYS))
        closed = time.perf_counter()
        await asyncio.gather(*(settle(pid) for pid in ids))
        done = time.perf_counter()
    return out | {
        "via": "calls",
        "bills": count,
        "seconds": done - begin,
        "close_seconds": closed - begin,
        "settle_seconds": done - closed,
    }


def _certificates(args: argparse.Namespace, profile: ConnectionProfile) -> dict[str, Any]:
    layout = holder_layout(args.certificates)
    out = {"meters": layout.meters, "readings_per_meter": layout.readings_per_meter}
    out |= seed_holder(profile, args.prefix, layout, args.inflight)
    out |= list_certificates(profile, args.page_size, layout.certificates_earned)
    return out


def _week_offer(args: argparse.Namespace, profile: ConnectionProfile) -> dict[str, Any]:
    holder = holder_layout(args.holder_certificates) if args.holder_certificates else None
    return week_offers(profile, args.prefix, args.repeats, holder)


def _customer(args: argparse.Namespace, profile: ConnectionProfile) -> dict[str, Any]:
    return asyncio.run(bill_customer(profile, args.prefix, args.meters, args.inflight))


def _consumers(args: argparse.Namespace, profile: ConnectionProfile) -> dict[str, Any]:
    return asyncio.run(
        bill_consumers(
            profile,
            args.prefix,
            args.consumers,
            args.per_call,
            args.inflight,
            Path(args.network) if args.via == "runner" else None,
        )
    )


COMMANDS: dict[str, Callable[[argparse.Namespace, ConnectionProfile], dict[str, Any]]] = {
    "certificates": _certificates,
    "week-offer": _week_offer,
    "customer": _customer,
    "consumers": _consumers,
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bench.p4_worker", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        sub = commands.add_parser(name)
        sub.add_argument("--network", required=True)
        sub.add_argument("--prefix", default="")
        if name != "week-offer":
            sub.add_argument("--inflight", type=int, default=8)
        if name == "certificates":
            sub.add_argument("--certificates", type=int, default=100_000)
            sub.add_argument("--page-size", type=int, default=1000)
        if name == "week-offer":
            sub.add_argument("--repeats", type=int, default=3)
            sub.add_argument("--holder-certificates", type=int, default=0)
        if name == "customer":
            sub.add_argument("--meters", type=int, default=100)
        if name == "consumers":
            sub.add_argument("--consumers", type=int, default=200)
            sub.add_argument("--per-call", type=int, default=50)
            sub.add_argument("--via", choices=("runner", "calls"), default="runner")
    return top


def main() -> None:
    args = parser().parse_args()
    profile = ConnectionProfile.load(args.network)
    result = COMMANDS[args.command](args, profile)
    sys.stdout.write(json.dumps({"event": "result", "command": args.command} | result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
