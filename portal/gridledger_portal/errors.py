"""The portal's own refusals: each a ``Problem`` (HTTP status, problem type, title) and one
line saying why. ``problems`` turns them (and the contract's refusals) into RFC 9457 problem
documents."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from gridledger.errors import GridLedgerError


class Problem(Enum):
    """What the portal itself refuses (not the contract): status, type slug, title."""

    NOT_SIGNED_IN = (401, "not-signed-in", "Not signed in")
    BAD_CREDENTIALS = (401, "bad-credentials", "Wrong name or password")
    CSRF = (403, "csrf", "Missing or wrong CSRF token")
    INSUFFICIENT_SCOPE = (403, "insufficient-scope", "The access token's scope does not allow this")
    NOT_FOUND = (404, "not-found", "Not found")
    BODY_TOO_LARGE = (413, "body-too-large", "Request body too large")
    TOO_MANY_ATTEMPTS = (429, "too-many-attempts", "Too many sign-in attempts")

    @property
    def status(self) -> int:
        return int(self.value[0])

    @property
    def slug(self) -> str:
        return str(self.value[1])

    @property
    def title(self) -> str:
        return str(self.value[2])


class PortalError(GridLedgerError):
    """A request the portal refuses: ``problem`` says how, ``detail`` why."""

    def __init__(
        self, problem: Problem, detail: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail
        self.headers = dict(headers or {})


class AccountError(GridLedgerError):
    """An account operation of the admin command failed (unknown identity, name taken...)."""
