"""The portal's own refusals: each an HTTP status, a problem type and one line saying why.
``problems`` turns them (and the contract's refusals) into RFC 9457 problem documents."""

from __future__ import annotations

from gridledger.errors import GridLedgerError


class PortalError(GridLedgerError):
    """A request the portal itself refuses (not the contract)."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class NotSignedIn(PortalError):
    status = 401
    slug = "not-signed-in"
    title = "Not signed in"


class BadCredentials(PortalError):
    status = 401
    slug = "bad-credentials"
    title = "Wrong name or password"


class CsrfRefused(PortalError):
    status = 403
    slug = "csrf"
    title = "Missing or wrong CSRF token"


class InsufficientScope(PortalError):
    status = 403
    slug = "insufficient-scope"
    title = "The access token's scope does not allow this"


class Unknown(PortalError):
    status = 404
    slug = "not-found"
    title = "Not found"


class TooManyAttempts(PortalError):
    status = 429
    slug = "too-many-attempts"
    title = "Too many sign-in attempts"


class BodyTooLarge(PortalError):
    status = 413
    slug = "body-too-large"
    title = "Request body too large"


class AccountError(GridLedgerError):
    """An account operation of the admin command failed (unknown identity, name taken...)."""
