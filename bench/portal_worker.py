"""The portal suite's load generator, a process of its own (``python -m bench.portal_worker``,
one JSON plan as its argument, one JSON result on stdout): async httpx against a portal served
by ``gridledger portal serve`` in another process.

- offers: ``GET /api/v1/offers`` by N concurrent requesters, each sending its next request when
  the last is answered, for a warm-up then a measured window: requests/s, p50/p99, failures;
- events: C clients on ``GET /api/v1/events``; once every one has its stream open, a seller posts
  an offer through the API; each client's delay until it receives that ``OfferPosted``,
  counted from the moment the post was sent (and from its answer, the commit);
- purchases: the same purchase (``quantity`` Wh from one offer) through the API
  (``POST /api/v1/offers/{id}/buy``) and through the Python client (``EnergyClient.buy``),
  alternated, one at a time: client-side latency of each.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

API = "/api/v1"


@dataclass(frozen=True)
class Account:
    name: str
    password: str


def sign_in(base: str, account: Account) -> tuple[httpx.Cookies, str]:
    """A session cookie jar for ``account`` and its CSRF token."""
    with httpx.Client(base_url=base + API, timeout=60) as client:
        answer = client.post("/session", json={"name": account.name, "password": account.password})
        answer.raise_for_status()
        return client.cookies, str(answer.json()["csrf_token"])


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# -- GET /api/v1/offers ----------------------------------------------------------------------------
async def offers_point(
    base: str,
    cookies: httpx.Cookies,
    interval: str,
    concurrency: int,
    warmup: float,
    duration: float,
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    failures: list[str] = []
    offers_seen: list[int] = []
    async with httpx.AsyncClient(
        base_url=base + API, cookies=cookies, limits=limits, timeout=60
    ) as client:
        began = time.perf_counter()
        measure_from = began + warmup
        end = measure_from + duration

        async def requester() -> None:
            while (sent := time.perf_counter()) < end:
                try:
                    answer = await client.get("/offers", params={"interval": interval})
                    ok = answer.status_code == 200
                    if ok and not offers_seen:
                        offers_seen.append(len(answer.json()["items"]))
                    error = "" if ok else f"HTTP {answer.status_code}"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"
                done = time.perf_counter()
                if sent >= measure_from and done <= end:
                    if error:
                        failures.append(error)
                    else:
                        latencies.append(done - sent)

        await asyncio.gather(*(requester() for _ in range(concurrency)))
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "requests_per_second": len(latencies) / duration,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "failures": len(failures),
        "first_failure": failures[0] if failures else "",
        "offers_listed": offers_seen[0] if offers_seen else 0,
    }


# -- GET /api/v1/events ----------------------------------------------------------------------------
async def events_fan_out(
    base: str,
    reader: httpx.Cookies,
    seller: tuple[httpx.Cookies, str],
    clients: int,
    offer: dict[str, Any],
    settle: float,
) -> dict[str, Any]:
    connected = 0
    all_connected = asyncio.Event()
    received: list[float] = []
    failures: list[str] = []
    marker = f'"quantity_wh": {offer["quantity_wh"]}'
    limits = httpx.Limits(max_connections=clients + 10, max_keepalive_connections=clients + 10)
    timeout = httpx.Timeout(60.0, read=120.0)

    async def listener(client: httpx.AsyncClient) -> None:
        nonlocal connected
        try:
            async with client.stream("GET", "/events") as answer:
                if answer.status_code != 200:
                    failures.append(f"HTTP {answer.status_code}")
                    return
                first = True
                async for line in answer.aiter_lines():
                    if first:
                        first = False
                        connected += 1
                        if connected == clients:
                            all_connected.set()
                    if line.startswith("data:") and "OfferPosted" in line and marker in line:
                        received.append(time.perf_counter())
                        return
        except httpx.HTTPError as exc:
            failures.append(f"{type(exc).__name__}: {exc}")

    async with httpx.AsyncClient(
        base_url=base + API, cookies=reader, limits=limits, timeout=timeout
    ) as client:
        began = time.perf_counter()
        tasks = [asyncio.create_task(listener(client)) for _ in range(clients)]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_connected.wait(), 120)
        open_seconds = time.perf_counter() - began
        await asyncio.sleep(settle)  # every stream's ledger subscription in place
        cookies, csrf = seller
        async with httpx.AsyncClient(
            base_url=base + API, cookies=cookies, timeout=60, headers={"X-CSRF-Token": csrf}
        ) as poster:
            sent = time.perf_counter()
            answer = await poster.post("/offers", json=offer)
            committed = time.perf_counter()
        answer.raise_for_status()
        _, pending = await asyncio.wait(tasks, timeout=10)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    from_commit = [max(0.0, at - committed) for at in received]
    from_sent = [at - sent for at in received]
    return {
        "clients": clients,
        "connected": connected,
        "open_seconds": open_seconds,
        "received": len(received),
        "missed": clients - len(received),
        "failures": len(failures),
        "first_failure": failures[0] if failures else "",
        "post_ms": (committed - sent) * 1000,
        "early": sum(at < committed for at in received),
        "max_ms": max(from_commit, default=float("nan")) * 1000,
        "p99_ms": percentile(from_commit, 0.99) * 1000,
        "p50_ms": percentile(from_commit, 0.50) * 1000,
        "max_from_sent_ms": max(from_sent, default=float("nan")) * 1000,
        "p99_from_sent_ms": percentile(from_sent, 0.99) * 1000,
        "p50_from_sent_ms": percentile(from_sent, 0.50) * 1000,
    }


# -- a purchase: the API vs the Python client ------------------------------------------------------
def purchases(
    base: str,
    buyer: tuple[httpx.Cookies, str],
    home: Path,
    org: str,
    identity: str,
    offer_id: str,
    quantity: int,
    rounds: int,
) -> dict[str, Any]:
    from gridledger.energy import EnergyClient

    cookies, csrf = buyer
    api: list[float] = []
    python: list[float] = []
    with (
        httpx.Client(
            base_url=base + API, cookies=cookies, timeout=60, headers={"X-CSRF-Token": csrf}
        ) as http,
        EnergyClient.connect(home / "network.json", org, identity) as client,
    ):
        for round_ in range(rounds + 1):  # the first of each: warm-up, not counted
            began = time.perf_counter()
            answer = http.post(f"/offers/{offer_id}/buy", json={"quantity_wh": quantity})
            took = time.perf_counter() - began
            if answer.status_code != 201:
                raise SystemExit(f"the API refused the purchase: {answer.text}")
            if round_:
                api.append(took)
            began = time.perf_counter()
            client.buy(offer_id, quantity)
            took = time.perf_counter() - began
            if round_:
                python.append(took)
    api_median, python_median = percentile(api, 0.5), percentile(python, 0.5)
    return {
        "rounds": rounds,
        "api_median_ms": api_median * 1000,
        "python_median_ms": python_median * 1000,
        "api_mean_ms": sum(api) / len(api) * 1000,
        "python_mean_ms": sum(python) / len(python) * 1000,
        "ratio_median": api_median / python_median,
        "ratio_mean": sum(api) / sum(python),
    }


def main(plan: dict[str, Any]) -> dict[str, Any]:
    base = plan["base_url"]
    reader = Account(**plan["reader"])
    seller = Account(**plan["seller"])
    reader_session = sign_in(base, reader)
    seller_session = sign_in(base, seller)
    result: dict[str, Any] = {"offers": [], "events": None, "purchases": None}
    for concurrency in plan["levels"]:
        point = asyncio.run(
            offers_point(
                base,
                reader_session[0],
                plan["interval"],
                concurrency,
                plan["warmup"],
                plan["duration"],
            )
        )
        print(json.dumps({"progress": "offers", **point}), file=sys.stderr, flush=True)
        result["offers"].append(point)
    result["events"] = asyncio.run(
        events_fan_out(
            base,
            reader_session[0],
            seller_session,
            plan["sse_clients"],
            plan["sse_offer"],
            plan["settle"],
        )
    )
    print(json.dumps({"progress": "events", **result["events"]}), file=sys.stderr, flush=True)
    result["purchases"] = purchases(
        base,
        reader_session,
        Path(plan["home"]),
        plan["org"],
        reader.name if plan.get("identity") is None else plan["identity"],
        plan["buy_offer"],
        plan["buy_quantity"],
        plan["rounds"],
    )
    return result


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(json.loads(sys.argv[1]))) + "\n")
