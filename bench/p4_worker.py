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
import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from gridledger.energy import (
    Conflict,
    EnergyClient,
    MeterSigner,
    NotFound,
    SignedReading,
    price_from_minor_per_kwh,
)
from gridledger.profile import ConnectionProfile

from bench.p4plan import HolderLayout, chunks, holder_layout

UTILITY_ORG = "GridOperatorMSP"
USERS_ORG = "ProsumerMSP"
UTILITY = "utility"
HOLDER = "bench-holder"
SELLER = "bench-seller"
BUYER = "bench-buyer"

START = datetime(2023, 1, 2, tzinfo=UTC)  # a Monday; the holder's readings run from here
EXPORT_WH = 250  # every interval of every meter exports this much
WEEK = 7 * 96
BOUGHT_WH = 200
PRICE = price_from_minor_per_kwh("7")
TIMEOUT = 120.0


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


def _register_meter(utility: EnergyClient, signer: MeterSigner, owner: str) -> bool:
    """Register a solar meter for ``owner``; False when it already exists."""
    try:
        utility.meter(signer.meter_id)
        return False
    except NotFound:
        pass
    utility.register_meter(
        signer.meter_id, owner, "production", "solar", "north", signer.public_key_pem
    )
    return True


def _exporting(signer: MeterSigner, first: int, indexes: range) -> Iterator[SignedReading]:
    """The meter's readings ``indexes`` (interval ``i`` from ``first``'s day), each interval
    exporting ``EXPORT_WH``."""
    start = START + timedelta(minutes=15 * (first + indexes.start))
    return signer.sign_series(start, ((0, EXPORT_WH * i) for i in indexes))


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
        if not _register_meter(utility, signers[-1], owner):
            return {"seeded": 0, "seed_seconds": 0.0}  # seeded by an earlier run
        for signer in signers[:-1]:
            _register_meter(utility, signer, owner)
        runs = list(chunks(layout.readings_per_meter))

        def sign(indexes: range) -> list[SignedReading]:
            return [r for s in signers for r in _exporting(s, 0, indexes)]

        begin = time.perf_counter()
        submitted = 0
        with ThreadPoolExecutor(1) as signing:
            upcoming: Future[list[SignedReading]] = signing.submit(sign, runs[0])
            for number in range(1, len(runs) + 1):
                readings = upcoming.result()
                if number < len(runs):
                    upcoming = signing.submit(sign, runs[number])
                summary = utility.submit_readings(readings, max_in_flight=inflight, timeout=TIMEOUT)
                submitted += len(readings)
                elapsed = time.perf_counter() - begin
                _progress(
                    f"  seeding certificates: {submitted:,} / {layout.readings:,} readings "
                    f"({summary.certificates_issued:,} certificates in the last call), "
                    f"{submitted / elapsed:,.0f} readings/s"
                )
    return {"seeded": submitted, "seed_seconds": time.perf_counter() - begin}


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
    out: dict[str, Any] = {"small_seller_seconds": [], "holder_seconds": []}
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
            _register_meter(utility, signer, seller_id)
            # two weeks: the week offered and the one before (the seller's certificates of it
            # stay active, as in tests/integration/energy/test_energy_week_offer.py)
            utility.submit_readings(
                _exporting(signer, 0, range(2 * WEEK + 1)), max_in_flight=1, timeout=TIMEOUT
            )
            seconds = _timed_buy(buyer, seller, signer.meter_id, START + timedelta(days=7))
            out["small_seller_seconds"].append(seconds)
            _progress(f"  week offer bought from a one-meter seller in {seconds:.2f} s")
        if holder is not None:
            with EnergyClient.connect(profile, USERS_ORG, HOLDER) as holding:
                for repeat in range(min(repeats, holder.meters)):
                    meter_id = holder_meter_id(prefix, repeat)
                    seconds = _timed_buy(buyer, holding, meter_id, START)
                    out["holder_seconds"].append(seconds)
                    _progress(
                        f"  week offer bought from the holder of {holder.certificates_earned:,} "
                        f"certificates in {seconds:.2f} s"
                    )
    return out


def _certificates(args: argparse.Namespace, profile: ConnectionProfile) -> dict[str, Any]:
    layout = holder_layout(args.certificates)
    out = {"meters": layout.meters, "readings_per_meter": layout.readings_per_meter}
    out |= seed_holder(profile, args.prefix, layout, args.inflight)
    out |= list_certificates(profile, args.page_size, layout.certificates_earned)
    return out


def _week_offer(args: argparse.Namespace, profile: ConnectionProfile) -> dict[str, Any]:
    holder = holder_layout(args.holder_certificates) if args.holder_certificates else None
    return week_offers(profile, args.prefix, args.repeats, holder)


COMMANDS: dict[str, Callable[[argparse.Namespace, ConnectionProfile], dict[str, Any]]] = {
    "certificates": _certificates,
    "week-offer": _week_offer,
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bench.p4_worker", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        sub = commands.add_parser(name)
        sub.add_argument("--network", required=True)
        sub.add_argument("--prefix", default="")
        if name == "certificates":
            sub.add_argument("--certificates", type=int, default=100_000)
            sub.add_argument("--inflight", type=int, default=8)
            sub.add_argument("--page-size", type=int, default=1000)
        if name == "week-offer":
            sub.add_argument("--repeats", type=int, default=3)
            sub.add_argument("--holder-certificates", type=int, default=0)
    return top


def main() -> None:
    args = parser().parse_args()
    profile = ConnectionProfile.load(args.network)
    result = COMMANDS[args.command](args, profile)
    sys.stdout.write(json.dumps({"event": "result", "command": args.command} | result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
