"""Signing in and out, who am I, the password, personal access tokens and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from gridledger_portal.accounts import Scope, Session, User
from gridledger_portal.auth import (
    SESSION_COOKIE,
    Caller,
    caller,
    energy,
    portal_of,
    session_actor,
)
from gridledger_portal.errors import PortalError, Problem
from gridledger_portal.routers.common import as_json

router = APIRouter(tags=["account"])


class SignIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(BaseModel):
    current: str = Field(min_length=1, max_length=1024)
    new: str = Field(min_length=12, max_length=1024)


class TokenRequest(BaseModel):
    label: str = Field(min_length=1, max_length=100)
    scope: Scope


@router.post("/session", summary="Sign in: sets the session cookie, gives the CSRF token")
async def sign_in(body: SignIn, request: Request, response: Response) -> dict[str, Any]:
    user, session = start_session(request, response, body.name, body.password)
    return {
        "user": user.name,
        "identity": user.identity,
        "csrf_token": session.csrf,
        "temporary_password": user.temporary_password,
    }


def start_session(
    request: Request, response: Response, name: str, password: str
) -> tuple[User, Session]:
    """Check ``name``'s password (rate limited), open a session and set its cookie on
    ``response`` (the API's sign-in and the sign-in page)."""
    portal = portal_of(request)
    address = request.client.host if request.client else "unknown"
    keys = (f"{address} {name}",)  # one user behind one address
    portal.limiter.check(*keys)
    user = portal.accounts.check_password(name, password)
    if user is None:
        portal.limiter.failed(*keys)
        raise PortalError(Problem.BAD_CREDENTIALS, "wrong user name or password")
    portal.limiter.succeeded(*keys)
    session_id, session = portal.accounts.open_session(user, portal.settings.session_seconds)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=portal.settings.session_seconds,
        httponly=True,
        samesite="strict",
        secure=portal.settings.tls,
        path="/",
    )
    portal.accounts.audit(user.name, "session", "sign in", "ok", [])
    return user, session


@router.delete("/session", status_code=204, summary="Sign out")
async def sign_out(
    request: Request, response: Response, who: Annotated[Caller, Depends(session_actor)]
) -> None:
    portal = portal_of(request)
    portal.accounts.close_session(request.cookies.get(SESSION_COOKIE, ""))
    portal.accounts.audit(who.user.name, who.via, "sign out", "ok", [])
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/whoami", summary="The signed-in user, its Fabric identity and the contract's view")
async def whoami(request: Request, who: Annotated[Caller, Depends(caller)]) -> dict[str, Any]:
    me = await energy(request, who).refresh_whoami()
    return {
        "user": who.user.name,
        "identity": who.user.identity,
        "org": portal_of(request).settings.org,
        "via": who.via,
        "scope": who.scope.value if who.scope is not None else None,
        "csrf_token": who.csrf,
        "temporary_password": who.user.temporary_password,
        "caller": as_json(me),
    }


@router.post("/account/password", status_code=204, summary="Change the password")
async def change_password(
    body: PasswordChange, request: Request, who: Annotated[Caller, Depends(session_actor)]
) -> None:
    accounts = portal_of(request).accounts
    if accounts.check_password(who.user.name, body.current) is None:
        raise PortalError(Problem.BAD_CREDENTIALS, "the current password is wrong")
    accounts.set_password(who.user.name, body.new)
    accounts.audit(who.user.name, who.via, "change password", "ok", [])


@router.get("/tokens", summary="My personal access tokens (never their secrets)")
async def list_tokens(
    request: Request, who: Annotated[Caller, Depends(caller)]
) -> list[dict[str, Any]]:
    return [token.to_json_dict() for token in portal_of(request).accounts.tokens(who.user.name)]


@router.post("/tokens", status_code=201, summary="Create a personal access token (shown once)")
async def create_token(
    body: TokenRequest, request: Request, who: Annotated[Caller, Depends(session_actor)]
) -> dict[str, Any]:
    accounts = portal_of(request).accounts
    text, token = accounts.create_token(who.user.name, body.label, body.scope)
    accounts.audit(who.user.name, who.via, "create token", "ok", [], token.id)
    return {**token.to_json_dict(), "token": text}


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke a personal access token")
async def revoke_token(
    token_id: str, request: Request, who: Annotated[Caller, Depends(session_actor)]
) -> None:
    accounts = portal_of(request).accounts
    if not accounts.revoke_token(who.user.name, token_id):
        raise PortalError(Problem.NOT_FOUND, f"you have no active token {token_id}")
    accounts.audit(who.user.name, who.via, "revoke token", "ok", [], token_id)


@router.get("/audit", summary="My audit log: every state-changing call, newest first")
async def audit_log(
    request: Request, who: Annotated[Caller, Depends(caller)]
) -> list[dict[str, Any]]:
    entries = portal_of(request).accounts.audit_log(who.user.name)
    return [entry.to_json_dict() for entry in entries]
