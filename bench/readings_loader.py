"""P3scale pre-load: fill the ledger with signed meter readings as fast as the network takes them.

``python -m bench.readings_loader --network FILE --org GridOperatorMSP --chaincode gridledger
--prefix L --readings 100000 --first-block 0 --inflight 8`` registers ``--meters`` simulated
meters (once), then submits ``--readings`` readings as ``SubmitReadings`` batches of ``--batch``,
``--inflight`` batches in flight. Batch ``k`` is meter ``k % meters``'s block
``first_block + k // meters``, so concurrent batches never share a meter while ``inflight`` is
below ``meters``. Readings are signed just before their batch is sent (the load is not timed).
Progress goes to stderr; the last stdout line is ``{"event": "loaded", ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from gridledger.gateway import AsyncContract
from gridledger.profile import ConnectionProfile
from gridledger_domain.meter_data import readings_request

from bench.readings_worker import UTILITY, add_meter_options, registered_meters, signed_batch
from bench.worker_protocol import say

PROGRESS_EVERY_SECONDS = 5.0


async def _load(args: argparse.Namespace) -> None:
    profile = ConnectionProfile.load(args.network)
    meters = await registered_meters(profile, args)
    total = args.readings // args.batch
    next_batch = iter(range(total))
    done = [0]
    begin = time.perf_counter()
    async with profile.aconnect(args.org, user=UTILITY) as gateway:
        contract: AsyncContract = gateway.network(profile.channel).contract(
            args.chaincode, "energy"
        )

        async def loop() -> None:
            for k in next_batch:
                signer = meters[k % len(meters)]
                payload = signed_batch(signer, args.batch, args.first_block + k // len(meters))
                sent, transient = readings_request(json.loads(payload))
                await contract.submit("SubmitReadings", *sent, transient=transient)
                done[0] += 1

        async def progress() -> None:
            while done[0] < total:
                await asyncio.sleep(PROGRESS_EVERY_SECONDS)
                elapsed = time.perf_counter() - begin
                loaded = done[0] * args.batch
                sys.stderr.write(
                    f"  loading {args.prefix}: {loaded:,} / {total * args.batch:,} readings, "
                    f"{loaded / elapsed:,.0f}/s\n"
                )
                sys.stderr.flush()

        watcher = asyncio.create_task(progress())
        try:
            await asyncio.gather(*(loop() for _ in range(args.inflight)))
        finally:
            watcher.cancel()
    elapsed = time.perf_counter() - begin
    loaded = done[0] * args.batch
    say({"event": "loaded", "readings": loaded, "seconds": elapsed})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--network", required=True)
    parser.add_argument("--org", required=True)
    parser.add_argument("--chaincode", required=True)
    parser.add_argument("--prefix", default="L-")
    parser.add_argument("--readings", type=int, required=True)
    add_meter_options(parser)
    parser.add_argument("--inflight", type=int, default=8)
    asyncio.run(_load(parser.parse_args()))


if __name__ == "__main__":
    main()
