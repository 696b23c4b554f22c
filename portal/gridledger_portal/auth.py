"""Who is calling, and may they do this: the session cookie or a personal access token
(``Authorization: Bearer``), the CSRF check on every state-changing request made with a
session, token scopes, the sign-in rate limit and the audit of state-changing calls."""

from __future__ import annotations

import hmac
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from gridledger.energy import AsyncEnergyClient
from gridledger.energy.transactions import Committed, recording_commits
from gridledger_domain.refusals import Refusal

from gridledger_portal.accounts import Scope, User
from gridledger_portal.errors import PortalError, Problem
from gridledger_portal.state import Portal

SESSION_COOKIE = "gridledger_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Caller:
    """A signed-in user: by session (``csrf`` is the session's token, ``scope`` None: all the
    user may do) or by personal access token (``token_id``, ``scope``)."""

    user: User
    csrf: str | None = None
    token_id: str | None = None
    scope: Scope | None = None

    @property
    def via(self) -> str:
        return "session" if self.token_id is None else f"token {self.token_id}"

    @property
    def by_session(self) -> bool:
        return self.token_id is None


def portal_of(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


async def caller(request: Request) -> Caller:
    """The signed-in caller (401 problem when there is none)."""
    accounts = portal_of(request).accounts
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        found = accounts.token(value.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise PortalError(
                Problem.NOT_SIGNED_IN,
                "the bearer token is not valid (unknown, malformed or revoked)",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        user, token = found
        return Caller(user, token_id=token.id, scope=token.scope)
    session_id = request.cookies.get(SESSION_COOKIE)
    session = accounts.session(session_id) if session_id else None
    if session is None:
        raise PortalError(
            Problem.NOT_SIGNED_IN,
            "sign in (POST /api/v1/session) or send a personal access token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Caller(session.user, csrf=session.csrf)


async def actor(request: Request, who: Annotated[Caller, Depends(caller)]) -> Caller:
    """A caller allowed to change something: a session request must carry the session's CSRF
    token (``X-CSRF-Token`` header, or the ``csrf_token`` form field); a token must have the
    ``trade`` scope."""
    if who.by_session:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith(_FORMS):
            field = (await request.form()).get(CSRF_FIELD)
            sent = field if isinstance(field, str) else None
        if not sent or who.csrf is None or not hmac.compare_digest(sent, who.csrf):
            raise PortalError(
                Problem.CSRF,
                f"a state-changing request with a session needs its CSRF token in the "
                f"{CSRF_HEADER} header or the {CSRF_FIELD} form field (GET /api/v1/whoami "
                "gives it)",
            )
    elif who.scope is not Scope.TRADE:
        raise PortalError(
            Problem.INSUFFICIENT_SCOPE, f"this token has the {who.scope} scope; this needs trade"
        )
    return who


async def session_actor(request: Request, who: Annotated[Caller, Depends(actor)]) -> Caller:
    """A state-changing request that only a signed-in session may make (account, tokens)."""
    if not who.by_session:
        raise PortalError(
            Problem.INSUFFICIENT_SCOPE, "only a signed-in session may manage the account and tokens"
        )
    return who


def energy(request: Request, who: Caller) -> AsyncEnergyClient:
    """The energy client signing as ``who``'s own Fabric identity."""
    return portal_of(request).ledger.energy(who.user.identity)


@asynccontextmanager
async def audited(
    portal: Portal, who: Caller, action: str, detail: str = ""
) -> AsyncIterator[list[Committed]]:
    """Run a state-changing call and log it with the ledger transactions it committed (the
    refusal kind, or the failure, when it did not succeed); the market cache is emptied after
    it, whatever its end."""
    accounts = portal.accounts
    with recording_commits() as commits, portal.market_cache.cleared_after():
        try:
            yield commits
        except Refusal as error:
            ids = [c.transaction_id for c in commits]
            accounts.audit(who.user.name, who.via, action, f"refused ({error.kind})", ids, detail)
            raise
        except Exception as error:
            ids = [c.transaction_id for c in commits]
            outcome = f"failed ({type(error).__name__})"
            accounts.audit(who.user.name, who.via, action, outcome, ids, detail)
            raise
    accounts.audit(
        who.user.name, who.via, action, "ok", [c.transaction_id for c in commits], detail
    )


class SignInLimiter:
    """At most ``attempts`` failed sign-ins per key (the client's address, the user name) in
    a sliding ``window`` of seconds; then 429 until the oldest failure ages out."""

    def __init__(self, attempts: int, window: float) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            failures = self._recent(key, now)
            if len(failures) >= self.attempts:
                wait = max(1, int(failures[0] + self.window - now + 0.999))
                raise PortalError(
                    Problem.TOO_MANY_ATTEMPTS,
                    f"too many failed sign-ins; try again in {wait} s",
                    headers={"Retry-After": str(wait)},
                )

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
