"""The portal's FastAPI app: ``create_app(settings)``.

The web pages (``web``) are at the root, their static files under ``/static``.
Everything the API offers is under ``/api/v1`` (OpenAPI 3.1 at ``/api/v1/openapi.json``,
interactive docs at ``/api/v1/docs``), one router per resource; errors are problem documents
(``problems``); request bodies over ``settings.max_body_bytes`` are refused with 413 before
they are read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridledger_portal import problems
from gridledger_portal.accounts import Accounts
from gridledger_portal.auth import SignInLimiter
from gridledger_portal.errors import Problem
from gridledger_portal.ledger import Ledger
from gridledger_portal.market_cache import MarketCache
from gridledger_portal.routers import account, bills, events, ledger_reads, offers, readings
from gridledger_portal.settings import PortalSettings
from gridledger_portal.state import Portal
from gridledger_portal.web import energy_pages, explorer_pages, market_pages, pages

API = "/api/v1"


def create_app(settings: PortalSettings) -> FastAPI:
    """The portal for ``settings.org`` on the network in ``settings.home``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        cache = MarketCache(settings.market_cache_seconds)
        portal = Portal(
            settings,
            Accounts(settings.database),
            Ledger(settings, on_market_event=cache.clear),
            SignInLimiter(settings.sign_in_attempts, settings.sign_in_window_seconds),
            cache,
        )
        app.state.portal = portal
        portal.resume_submissions()
        try:
            yield
        finally:
            await portal.close()

    app = FastAPI(
        title="GridLedger market portal",
        version="1",
        summary=f"The energy market of organisation {settings.org}, as each user's own identity",
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    problems.install(app)
    for router in (
        account.router,
        ledger_reads.participants,
        ledger_reads.meters,
        readings.router,
        offers.router,
        ledger_reads.trades,
        ledger_reads.tariffs,
        bills.router,
        ledger_reads.certificates,
        events.router,
    ):
        app.include_router(router, prefix=API)
    app.include_router(pages.router)
    app.include_router(energy_pages.router)
    app.include_router(explorer_pages.router)
    app.include_router(market_pages.router)
    static = Path(__file__).parent / "web" / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413: by Content-Length up front, and by
    counting what arrives when there is none (chunked)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge(413, f"request bodies are limited to {self.limit} bytes")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = Problem.BODY_TOO_LARGE
        detail = f"request bodies are limited to {self.limit} bytes"
        response = problems.problem(kind.status, kind.slug, kind.title, detail)
        await response(scope, receive, send)


class _TooLarge(HTTPException):
    """Raised while the body is read: FastAPI passes HTTP exceptions on to the problem
    handlers (any other exception there would become a 400)."""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
