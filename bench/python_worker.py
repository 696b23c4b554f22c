"""Benchmark worker driving our Python Gateway client (asyncio), twin of bench/node/worker.mjs.

``python -m bench.python_worker --network FILE --org MSP --chaincode NAME --workload put
--inflight 32 --warmup 2 --duration 10 --prefix P`` prints the line protocol of
``bench.worker_protocol`` on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from gridledger.gateway import AsyncContract, GatewayError
from gridledger.profile import ConnectionProfile

from bench.worker_protocol import Window, say
from bench.workloads import WORKLOADS, call, setup_calls


async def _exists(contract: AsyncContract, key: str) -> bool:
    try:
        await contract.evaluate("Get", key)
    except GatewayError:
        return False
    return True


async def _setup(contract: AsyncContract, workload: str, prefix: str, inflight: int) -> None:
    marker, calls = setup_calls(workload, prefix)
    if not calls or await _exists(contract, marker):
        return
    pending = list(reversed(calls))

    async def worker() -> None:
        while pending:
            name, args = pending.pop()
            await contract.submit(name, *args)

    await asyncio.gather(*(worker() for _ in range(min(inflight, len(calls)))))


async def _run(args: argparse.Namespace) -> None:
    profile = ConnectionProfile.load(args.network)
    async with profile.aconnect(args.org, user=args.user) as gateway:
        contract = gateway.network(profile.channel).contract(args.chaincode, args.contract)
        await _setup(contract, args.workload, args.prefix, args.inflight)
        say({"event": "ready"})
        begin = time.perf_counter()
        window = Window(begin + args.warmup, begin + args.warmup + args.duration)
        counter = iter(range(1 << 62))

        async def loop() -> None:
            while window.tick() < window.end:
                name, call_args = call(args.workload, args.prefix, next(counter))
                await window.submit(contract, name, *call_args)

        await window.run(*(loop() for _ in range(args.inflight)))
        say(window.result(args.duration))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--network", required=True)
    parser.add_argument("--org", required=True)
    parser.add_argument("--user", default="User1")
    parser.add_argument("--chaincode", required=True)
    parser.add_argument("--contract", default="kv")
    parser.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    parser.add_argument("--inflight", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--prefix", default="py-")
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()
