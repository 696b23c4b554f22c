"""The one place where errors become RFC 9457 problem documents (``application/problem+json``).

Every problem has ``type`` (``/api/v1/problems/<slug>``), ``title``, ``status`` and ``detail``.
A contract refusal keeps its kind (``kind``: ``invalid``, ``access denied``, ``not found``,
``conflict``, ``incomplete``, as ``gridledger_domain.refusals`` names them) and its message
(``detail``), plus the ledger ``transaction_id``; validation errors (422) name each field
(``errors``: ``[{"field": "body.quantity_wh", "message": ...}]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from gridledger.energy.errors import EnergyError
from gridledger.gateway import GatewayError
from gridledger.gateway.failures import Failure
from gridledger_domain.refusals import Refusal, RefusalKind
from starlette.exceptions import HTTPException

from gridledger_portal.errors import PortalError

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "/api/v1/problems/"

REFUSAL_STATUS: dict[RefusalKind, tuple[int, str]] = {
    RefusalKind.INVALID: (400, "The contract refused the request as invalid"),
    RefusalKind.ACCESS_DENIED: (403, "The contract denied access"),
    RefusalKind.NOT_FOUND: (404, "The contract found no such record"),
    RefusalKind.CONFLICT: (409, "The request conflicts with the ledger"),
    RefusalKind.INCOMPLETE: (409, "The ledger's data is incomplete"),
}

_FAILURE_STATUS: dict[Failure, int] = {
    Failure.DEADLINE_EXCEEDED: 504,
    Failure.UNAVAILABLE: 503,
    Failure.REQUEST_ENTITY_TOO_LARGE: 413,
    Failure.MESSAGE_TOO_LARGE: 413,
}


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    body.update({key: value for key, value in extensions.items() if value is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def refusal_problem(error: Refusal) -> JSONResponse:
    status, title = REFUSAL_STATUS[error.kind]
    return problem(
        status,
        error.kind.value.replace(" ", "-"),
        title,
        error.reason,
        kind=error.kind.value,
        transaction_id=getattr(error, "transaction_id", None) or None,
    )


def gateway_problem(error: GatewayError) -> JSONResponse:
    failure = error.failure
    status = _FAILURE_STATUS.get(failure, 502) if failure is not None else 502
    return problem(
        status,
        "ledger-unavailable" if status != 413 else "ledger-limit",
        "The ledger could not complete the call",
        str(error).splitlines()[0] if str(error) else type(error).__name__,
        transaction_id=error.transaction_id or None,
        failure=failure.name if failure is not None else None,
    )


def validation_problem(error: RequestValidationError) -> JSONResponse:
    fields = [
        {
            "field": ".".join(str(part) for part in item.get("loc", ())),
            "message": str(item.get("msg", "invalid")),
        }
        for item in error.errors()
    ]
    first = fields[0] if fields else {"field": "request", "message": "invalid"}
    detail = f"{first['field']}: {first['message']}"
    return problem(422, "validation", "The request is not valid", detail, errors=fields)


_HTTP_TITLES = {
    404: ("Not found", "not-found"),
    405: ("Method not allowed", "method-not-allowed"),
    413: ("Request body too large", "body-too-large"),
}


def install(app: FastAPI) -> None:
    """Route every error the API can raise to its problem document."""

    async def on_portal(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, PortalError)
        kind = error.problem
        return problem(kind.status, kind.slug, kind.title, error.detail, error.headers)

    async def on_refusal(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, Refusal)
        return refusal_problem(error)

    async def on_gateway(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, GatewayError)
        return gateway_problem(error)

    async def on_validation(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return validation_problem(error)

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        title, slug = _HTTP_TITLES.get(error.status_code, ("Error", "error"))
        return problem(error.status_code, slug, title, str(error.detail), error.headers)

    app.add_exception_handler(PortalError, on_portal)
    # A contract refusal is both a Refusal and a GatewayError: the refusal handler wins
    # because Starlette looks handlers up along the exception's MRO (EnergyError: GatewayError
    # first), so refusals are registered on their client class too.
    app.add_exception_handler(Refusal, on_refusal)
    app.add_exception_handler(EnergyError, on_refusal)
    app.add_exception_handler(GatewayError, on_gateway)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
