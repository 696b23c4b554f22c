"""Benchmark worker driving our Python Gateway client (asyncio), twin of bench/node/worker.mjs.

``python -m bench.python_worker --network FILE --org MSP --chaincode NAME --workload put
--inflight 32 --warmup 2 --duration 10 --prefix P`` prints the line protocol of
``bench.worker_protocol`` on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from gridledger.gateway import AsyncContract, GatewayError
from gridledger.profile import ConnectionProfile

from bench.workloads import WORKLOADS, call, setup_calls


def _say(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


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


class _Window:
    """Counts what completes between ``start`` and ``end`` and says when each is crossed."""

    def __init__(self, start: float, end: float) -> None:
        self.start, self.end = start, end
        self.started = self.ended = False
        self.ok = self.failed = 0
        self.first_error: str | None = None
        self.latencies_ms: list[float] = []

    def tick(self) -> float:
        now = time.perf_counter()
        if not self.started and now >= self.start:
            self.started = True
            _say({"event": "start"})
        if not self.ended and now >= self.end:
            self.ended = True
            _say({"event": "end"})
        return now

    def record(self, sent: float, error: BaseException | None) -> None:
        done = self.tick()
        if not self.start <= done < self.end:
            return
        if error is None:
            self.ok += 1
            self.latencies_ms.append((done - sent) * 1000.0)
        else:
            self.failed += 1
            if self.first_error is None:
                self.first_error = str(error)


async def _run(args: argparse.Namespace) -> None:
    profile = ConnectionProfile.load(args.network)
    async with profile.aconnect(args.org, user=args.user) as gateway:
        contract = gateway.network(profile.channel).contract(args.chaincode, args.contract)
        await _setup(contract, args.workload, args.prefix, args.inflight)
        _say({"event": "ready"})
        begin = time.perf_counter()
        window = _Window(begin + args.warmup, begin + args.warmup + args.duration)
        counter = iter(range(1 << 62))

        async def loop() -> None:
            while window.tick() < window.end:
                name, call_args = call(args.workload, args.prefix, next(counter))
                sent = time.perf_counter()
                try:
                    await contract.submit(name, *call_args)
                except GatewayError as exc:
                    window.record(sent, exc)
                else:
                    window.record(sent, None)

        async def clock() -> None:
            while not window.ended:
                window.tick()
                await asyncio.sleep(0.005)

        await asyncio.gather(clock(), *(loop() for _ in range(args.inflight)))
        _say(
            {
                "event": "result",
                "client": "gridledger (Python)",
                "ok": window.ok,
                "failed": window.failed,
                "window_seconds": args.duration,
                "latencies_ms": window.latencies_ms,
                "first_error": window.first_error,
            }
        )


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
