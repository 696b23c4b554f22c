"""The line protocol a benchmark worker speaks to bench/runner.py, and the options it is given.

A worker prints one JSON object per line on stdout: ``{"event": "ready"}`` when set up,
``{"event": "start"}`` and ``{"event": "end"}`` as the measurement window opens and closes
(the runner samples every process's CPU at both), then one ``result`` line (``result_line``).
bench/node/worker.mjs speaks the same protocol.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable
from typing import Any

from gridledger.gateway import AsyncContract, GatewayError

CLOCK_TICK_SECONDS = 0.005


def say(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def result_line(
    ok: int,
    failed: int,
    window_seconds: float,
    latencies_ms: list[float],
    first_error: str | None,
) -> dict[str, Any]:
    return {
        "event": "result",
        "client": "gridledger (Python)",
        "ok": ok,
        "failed": failed,
        "window_seconds": window_seconds,
        "latencies_ms": latencies_ms,
        "first_error": first_error,
    }


class Window:
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
            say({"event": "start"})
        if not self.ended and now >= self.end:
            self.ended = True
            say({"event": "end"})
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

    async def submit(
        self,
        contract: AsyncContract,
        name: str,
        *args: str,
        transient: dict[str, bytes] | None = None,
    ) -> None:
        """Submit one transaction and record how it ended."""
        sent = time.perf_counter()
        try:
            await contract.submit(name, *args, transient=transient)
        except GatewayError as exc:
            self.record(sent, exc)
        else:
            self.record(sent, None)

    async def run(self, *loops: Awaitable[None]) -> None:
        """Run the loops with a clock that says ``start`` and ``end`` even while none completes."""

        async def clock() -> None:
            while not self.ended:
                self.tick()
                await asyncio.sleep(CLOCK_TICK_SECONDS)

        await asyncio.gather(clock(), *loops)

    def result(self, window_seconds: float) -> dict[str, Any]:
        return result_line(
            self.ok, self.failed, window_seconds, self.latencies_ms, self.first_error
        )


def worker_parser(
    description: str | None,
    *,
    workload: str,
    inflight: int,
    prefix: str,
    org: str | None = None,
    warmup: float = 2.0,
    duration: float = 10.0,
) -> argparse.ArgumentParser:
    """The options bench/runner.py gives every worker, with this worker's defaults (``org``
    None: ``--org`` is required)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--network", required=True)
    if org is None:
        parser.add_argument("--org", required=True)
    else:
        parser.add_argument("--org", default=org)
    parser.add_argument("--chaincode", required=True)
    parser.add_argument("--workload", default=workload)
    parser.add_argument("--inflight", type=int, default=inflight)
    parser.add_argument("--warmup", type=float, default=warmup)
    parser.add_argument("--duration", type=float, default=duration)
    parser.add_argument("--prefix", default=prefix)
    return parser
