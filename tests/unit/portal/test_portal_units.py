"""The portal's pure parts: event ids and SSE text, the account store (hashes at rest,
owner-only file, tokens, sessions), the sign-in limiter, problem documents, instants, and the
body limit (over an in-process ASGI app: the limit, not the transport, is under test)."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from gridledger.gateway.chaincode_event import ChaincodeEvent
from gridledger_domain import MeterReading, SignedReading, parse_utc, refusals, simulated_meter_key
from gridledger_domain.records import Meter
from gridledger_domain.timeutil import DAY_SECONDS
from gridledger_domain.vocabulary import EnergySource, MeterKind
from gridledger_portal import problems
from gridledger_portal.accounts import Accounts, Scope
from gridledger_portal.app import BodyLimit
from gridledger_portal.auth import SignInLimiter
from gridledger_portal.errors import AccountError, PortalError, Problem
from gridledger_portal.events import (
    BACKLOG_LIMIT,
    EventPosition,
    LiveFeed,
    live_market_events,
    positioned,
    sse_message,
)
from gridledger_portal.market_cache import MarketCache
from gridledger_portal.routers.common import instant
from gridledger_portal.web.energy_pages import Span, _meter_energy


def test_event_ids_are_block_and_position_ordered_and_strict() -> None:
    assert EventPosition.parse("12-3") == EventPosition(12, 3)
    assert str(EventPosition(12, 3)) == "12-3"
    assert EventPosition(12, 3) < EventPosition(12, 4) < EventPosition(13, 0)
    for bad in ("", "12", "12-", "-1-2", "a-b", "12-3-4", "1" * 19 + "-0"):
        assert EventPosition.parse(bad) is None, bad


def test_events_are_positioned_within_their_block() -> None:
    def event(block: int) -> ChaincodeEvent:
        return ChaincodeEvent(block, "tx", "gridledger", "OfferPosted", b"{}")

    seen: list[tuple[ChaincodeEvent, EventPosition]] = []
    positions = []
    for block in (5, 5, 5, 6, 8, 8):
        current = event(block)
        position = positioned(seen, current)
        seen[:] = [(current, position)]
        positions.append(str(position))
    assert positions == ["5-0", "5-1", "5-2", "6-0", "8-0", "8-1"]


def test_sse_message_is_one_event_with_json_data_on_one_line() -> None:
    text = sse_message("OfferPosted", "5-1", {"b": 1, "a": "x\ny"})
    assert text == 'id: 5-1\nevent: OfferPosted\ndata: {"a": "x\\ny", "b": 1}\n\n'


def test_account_store_is_owner_only_and_keeps_no_secret_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "portal" / "Org1MSP.sqlite"
    accounts = Accounts(path)
    password = accounts.add_user("eve", "User1")
    with pytest.raises(AccountError, match="already a user"):
        accounts.add_user("eve", "User1")
    with pytest.raises(AccountError, match="user names"):
        accounts.add_user("eve smith", "User1")
    assert accounts.check_password("eve", password) is not None
    assert accounts.check_password("eve", password + "x") is None
    assert accounts.check_password("nobody", password) is None
    user = accounts.user("eve")
    assert user is not None and user.temporary_password
    session_id, session = accounts.open_session(user, 60)
    secret, token = accounts.create_token("eve", "app", Scope.READ)
    accounts.close()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    stored = b"".join(p.read_bytes() for p in path.parent.iterdir())
    for clear in (password, session_id, secret.rsplit("_", 1)[1], session_id):
        assert clear.encode() not in stored
    assert b"$argon2id$" in stored

    accounts = Accounts(path)
    try:
        found = accounts.session(session_id)
        assert found is not None and found.csrf == session.csrf
        assert accounts.token(secret) is not None
        assert accounts.token(secret + "x") is None
        assert accounts.token("glp_" + token.id) is None
        assert accounts.revoke_token("other", token.id) is False
        assert accounts.revoke_token("eve", token.id) is True
        assert accounts.token(secret) is None
        assert accounts.revoke_token("eve", token.id) is False
        accounts.close_session(session_id)
        assert accounts.session(session_id) is None
        expired, _ = accounts.open_session(user, -1)
        assert accounts.session(expired) is None
        accounts.audit("eve", "session", "buy", "ok", ["tx1"], "offer-1 5 Wh")
        (entry,) = accounts.audit_log("eve")
        assert entry.transaction_ids == ("tx1",) and entry.action == "buy"
    finally:
        accounts.close()


def test_sign_in_limiter_refuses_after_the_attempts_until_success_clears() -> None:
    limiter = SignInLimiter(attempts=3, window=60)
    for _ in range(3):
        limiter.check("a")
        limiter.failed("a")
    with pytest.raises(PortalError) as refused:
        limiter.check("a")
    assert refused.value.problem is Problem.TOO_MANY_ATTEMPTS
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 60
    limiter.check("b")
    limiter.succeeded("a")
    limiter.check("a")
    short = SignInLimiter(attempts=1, window=0.0)
    short.failed("a")
    short.check("a")  # aged out


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        (refusals.InvalidRequest, 400),
        (refusals.AccessDenied, 403),
        (refusals.NotFound, 404),
        (refusals.Conflict, 409),
        (refusals.IncompleteData, 409),
    ],
)
def test_refusals_keep_their_kind_and_message(refusal: type[refusals.Refusal], status: int) -> None:
    response = problems.refusal_problem(refusal("the contract's words"))
    document = json.loads(bytes(response.body))
    assert response.status_code == status
    assert response.media_type == problems.PROBLEM_JSON
    assert document["kind"] == refusal.kind.value
    assert document["detail"] == "the contract's words"
    assert document["type"] == problems.PROBLEM_BASE + refusal.kind.value.replace(" ", "-")


def test_instants_in_queries_are_days_or_utc_instants_else_422_naming_the_field() -> None:
    assert instant("2025-06-21", "query.from") == instant("2025-06-21T00:00:00Z", "query.from")
    with pytest.raises(RequestValidationError) as invalid:
        instant("2025-06-21 10:00", "query.from")
    response = problems.validation_problem(invalid.value)
    document = json.loads(bytes(response.body))
    assert response.status_code == 422
    assert document["errors"][0]["field"] == "query.from"


def test_body_limit_refuses_declared_and_chunked_bodies_over_it() -> None:
    app = FastAPI()
    problems.install(app)

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    limited = BodyLimit(app, limit=100)

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=limited)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:

            async def chunks() -> object:
                for _ in range(5):
                    yield b"x" * 30

            return [
                await client.post("/echo", content=b"x" * 100),
                await client.post("/echo", content=b"x" * 101),
                await client.post("/echo", content=chunks()),
            ]

    fits, declared, chunked = asyncio.run(run())
    assert fits.json() == {"bytes": 100}
    for refused in (declared, chunked):
        assert refused.status_code == 413
        assert refused.headers["content-type"] == problems.PROBLEM_JSON
        assert "limited to 100 bytes" in refused.json()["detail"]


class _Ledger:
    """A stand-in for the channel's chaincode-event streams: counts the streams opened and
    hands them the events ``publish`` sends."""

    def __init__(self) -> None:
        self.opened = 0
        self.closed = 0
        self.events: asyncio.Queue[ChaincodeEvent] = asyncio.Queue()

    def chaincode_events(self, chaincode: str, start_block: int | None) -> _Stream:
        assert start_block is None
        self.opened += 1
        return _Stream(self)


class _Stream:
    def __init__(self, ledger: _Ledger) -> None:
        self.ledger = ledger

    def __aiter__(self) -> _Stream:
        return self

    async def __anext__(self) -> ChaincodeEvent:
        return await self.ledger.events.get()

    def close(self) -> None:
        self.ledger.closed += 1


def test_live_clients_of_one_identity_share_one_ledger_stream() -> None:
    async def scenario() -> None:
        ledger = _Ledger()
        feed = LiveFeed(ledger, "gridledger")  # type: ignore[arg-type]
        pages = [live_market_events(feed, heartbeat=60) for _ in range(3)]
        for page in pages:
            assert (await anext(page)).startswith(": market events")
        offer = ChaincodeEvent(7, "tx1", "gridledger", "OfferPosted", b'{"offer_id":"o1"}')
        await ledger.events.put(ChaincodeEvent(7, "tx0", "gridledger", "ReadingsSubmitted", b"{}"))
        await ledger.events.put(offer)
        received = [await asyncio.wait_for(anext(page), 5) for page in pages]
        assert len(set(received)) == 1 and received[0].startswith("id: 7-1\nevent: OfferPosted")
        assert ledger.opened == 1
        for page in pages:
            await page.aclose()
        await asyncio.sleep(0)  # the reader's cancellation runs
        assert (ledger.opened, ledger.closed) == (1, 1)

        slow = feed.join()
        for n in range(BACKLOG_LIMIT + 1):
            await ledger.events.put(ChaincodeEvent(8 + n, "t", "gridledger", "OfferPosted", b"{}"))
        while ledger.events.qsize():
            await asyncio.sleep(0)
        await asyncio.sleep(0)
        backlog = [slow.get_nowait() for _ in range(slow.qsize())]
        assert len(backlog) == BACKLOG_LIMIT + 1 and backlog[-1] is None  # dropped: it resumes
        assert ledger.opened == 2 and ledger.closed == 2  # the last client gone, stream closed

    asyncio.run(scenario())


def test_market_cache_keeps_an_answer_briefly_shares_loads_and_forgets_on_change() -> None:
    async def scenario() -> None:
        now = [0.0]
        cache = MarketCache(0.5, clock=lambda: now[0])
        loads: list[int] = []
        gate = asyncio.Event()

        async def load() -> int:
            number = len(loads) + 1
            loads.append(number)
            await gate.wait()
            return number

        gate.set()
        assert await cache.get("k", load) == 1
        assert await cache.get("k", load) == 1  # kept
        now[0] = 0.6
        assert await cache.get("k", load) == 2  # too old: loaded again
        cache.clear()
        assert await cache.get("k", load) == 3  # the market changed
        gate.clear()
        cache.clear()
        first = asyncio.gather(cache.get("k", load), cache.get("k", load))
        await asyncio.sleep(0)
        assert len(loads) == 4  # two requests, one load
        cache.clear()  # a purchase committed while it loaded
        later = asyncio.ensure_future(cache.get("k", load))
        await asyncio.sleep(0)
        gate.set()
        assert await first == [4, 4]
        assert await later == 5  # not the answer loaded before the change
        assert await cache.get("k", load) == 5
        assert await MarketCache(0).get("k", load) == 6  # off

    asyncio.run(scenario())


class _Readings:
    """A stand-in for the energy client's reading listing (the registers of one meter)."""

    def __init__(self, registers: dict[int, int]) -> None:
        self.registers = registers

    def readings(self, meter_id: str, start: int, end: int, page_size: int) -> Any:
        async def listing() -> Any:
            for at, wh in sorted(self.registers.items()):
                if start <= at <= end:
                    yield SignedReading(MeterReading(meter_id, at, wh, 0), b"")

        return listing()


def test_my_energy_counts_each_meter_over_its_own_interval_length() -> None:
    day = parse_utc("2025-06-21T00:00:00Z")
    span = Span(day, day + DAY_SECONDS, False)
    key = simulated_meter_key("portal units").public_key_pem()

    def meter(minutes: int) -> Meter:
        return Meter("M-1", "owner", MeterKind.CONSUMPTION, EnergySource.GRID, "z", key,
                     interval_minutes=minutes)  # fmt: skip

    hourly = {day + h * 3600: 100 * h for h in range(25)}
    energy = asyncio.run(_meter_energy(_Readings(hourly), meter(60), span))  # type: ignore[arg-type]
    assert energy == {day + h * 3600: (100, 0) for h in range(24)}
    quarter = {day + q * 900: 10 * q for q in range(5)}
    energy = asyncio.run(_meter_energy(_Readings(quarter), meter(15), span))  # type: ignore[arg-type]
    assert energy == {day + q * 900: (10, 0) for q in range(4)}
