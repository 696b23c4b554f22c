"""The web pages: sign-in and the market (the open offers of one interval, kept live by
``static/market.js`` from ``/api/v1/events``).

Every page answer carries ``Content-Security-Policy: default-src 'self'`` (no inline script or
style, nothing from another origin). The sign-in form is guarded against login CSRF by a
double-submit token (a cookie and a hidden field that must match); the sign-out form carries
the session's CSRF token, checked as every state-changing API call's is.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from gridledger.energy import Offer
from gridledger_domain.timeutil import INTERVAL_SECONDS
from gridledger_domain.vocabulary import EnergySource
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from gridledger_portal.auth import CSRF_FIELD, SESSION_COOKIE, Caller, portal_of, session_actor
from gridledger_portal.errors import PortalError, Problem
from gridledger_portal.routers.account import start_session
from gridledger_portal.routers.common import instant, instant_text
from gridledger_portal.web import i18n

router = APIRouter(include_in_schema=False)

CSP = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
SIGN_IN_COOKIE = "gridledger_sign_in"
_templates = Environment(
    loader=PackageLoader("gridledger_portal.web", "templates"),
    autoescape=select_autoescape(default=True),
)


def page_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def lang_of(request: Request) -> str:
    return i18n.language(request.query_params.get("lang"), request.headers.get("accept-language"))


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    other = "zh" if lang == "en" else "en"
    query = {**request.query_params, "lang": other}
    html = _templates.get_template(template).render(
        t=i18n.messages(lang),
        lang=lang,
        html_lang=i18n.HTML_LANG[lang],
        other_url=f"{request.url.path}?{urlencode(query)}",
        **context,
    )
    return HTMLResponse(html, status_code=status)


def _with_lang(path: str, request: Request) -> str:
    lang = request.query_params.get("lang")
    return f"{path}?{urlencode({'lang': lang})}" if lang in i18n.LANGUAGES else path


@router.get("/")
async def home(request: Request) -> Response:
    return RedirectResponse(_with_lang("/market", request), status_code=303)


@router.get("/sign-in")
async def sign_in_page(request: Request) -> Response:
    return _sign_in_form(request)


def _sign_in_form(request: Request, error: str | None = None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "sign_in.html", status, error=error, form_token=token)
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=portal_of(request).settings.tls,
        path="/sign-in",
    )
    return page_headers(response)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    form_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
) -> Response:
    cookie = request.cookies.get(SIGN_IN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, form_token):
        return _sign_in_form(request, "sign_in.expired", 403)
    target = _with_lang("/market", request)
    response = RedirectResponse(target, status_code=303)
    try:
        start_session(request, response, name, password)
    except PortalError as error:
        key = "sign_in.too_many" if error.problem is Problem.TOO_MANY_ATTEMPTS else None
        return _sign_in_form(request, key or "sign_in.bad_credentials", error.problem.status)
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return page_headers(response)


@router.post("/sign-out")
async def sign_out(request: Request, who: Annotated[Caller, Depends(session_actor)]) -> Response:
    portal = portal_of(request)
    portal.accounts.close_session(request.cookies.get(SESSION_COOKIE, ""))
    portal.accounts.audit(who.user.name, who.via, "sign out", "ok", [])
    response = RedirectResponse(_with_lang("/sign-in", request), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return page_headers(response)


@router.get("/market")
async def market(
    request: Request,
    interval: Annotated[str | None, Query(max_length=40)] = None,
    source: Annotated[str, Query(max_length=20)] = "",
    zone: Annotated[str, Query(max_length=64)] = "",
    sort: Annotated[str, Query(max_length=20)] = "",
    order: Annotated[str, Query(max_length=4)] = "",
) -> Response:
    portal = portal_of(request)
    session_id = request.cookies.get(SESSION_COOKIE)
    session = portal.accounts.session(session_id) if session_id else None
    if session is None:
        return page_headers(RedirectResponse(_with_lang("/sign-in", request), status_code=303))
    start = _interval(interval)
    board = Board.of(source, zone, sort, order)
    client = portal.ledger.energy(session.user.identity)
    listing = client.list_offers(start, source=board.source or None, zone=board.zone or None)
    offers = board.ordered([offer async for offer in listing if offer.remaining_wh > 0])
    lang = lang_of(request)
    rows = [
        {
            "offer_id": offer.offer_id,
            "source": offer.source.value,
            "zone": offer.zone,
            "remaining": i18n.quantity_text(offer.remaining_wh),
            "remaining_wh": offer.remaining_wh,
            "price": i18n.price_text(offer.price),
            "price_value": offer.price,
        }
        for offer in offers
    ]
    live = {
        "interval": start,
        "interval_text": instant_text(start),
        "lang": lang,
        "messages": i18n.messages(lang),
        **board.live(),
    }
    interval_value = instant_text(start)[:16]
    lang_query = {"lang": lang} if request.query_params.get("lang") in i18n.LANGUAGES else {}
    response = render(
        request,
        "market.html",
        user=session.user.name,
        csrf=session.csrf,
        interval_value=interval_value,
        interval_label=i18n.interval_text(start, lang),
        offers=rows,
        board=board,
        sources=[kind.value for kind in EnergySource],
        headings=board.headings({**lang_query, "interval": interval_value}),
        clear_url="/market?"
        + urlencode(
            {
                **lang_query,
                "interval": interval_value,
                **Board(sort=board.sort, order=board.order).query(),
            }
        ),
        live=script_json(live),
    )
    return page_headers(response)


SORTS: dict[str, Callable[[Offer], Any]] = {
    "price": lambda offer: offer.price,
    "remaining": lambda offer: offer.remaining_wh,
    "source": lambda offer: offer.source.value,
}
FIRST_ORDER = {"price": "asc", "remaining": "desc", "source": "asc"}  # a heading's first click


@dataclass(frozen=True)
class Board:
    """The market board's filters and order, as ``?source=&zone=&sort=&order=`` spell them
    (anything unknown: no filter, cheapest first). Ties: cheapest first, then by offer id, in
    either order; ``static/market.js`` places live offers by the same rule."""

    source: str = ""
    zone: str = ""
    sort: str = "price"
    order: str = "asc"

    @classmethod
    def of(cls, source: str, zone: str, sort: str, order: str) -> Board:
        known = source if source in {kind.value for kind in EnergySource} else ""
        sort = sort if sort in SORTS else "price"
        order = order if order in ("asc", "desc") else FIRST_ORDER[sort]
        return cls(known, zone.strip(), sort, order)

    def ordered(self, offers: list[Offer]) -> list[Offer]:
        ties = sorted(offers, key=lambda offer: (offer.price, offer.offer_id))
        return sorted(ties, key=SORTS[self.sort], reverse=self.order == "desc")

    def query(self) -> dict[str, str]:
        """The filters and order as a query (the filter form keeps the order, and the
        headings' links the filters)."""
        filters = {"source": self.source, "zone": self.zone}
        return {**{k: v for k, v in filters.items() if v}, "sort": self.sort, "order": self.order}

    def live(self) -> dict[str, str]:
        return {"source": self.source, "zone": self.zone, "sort": self.sort, "order": self.order}

    def headings(self, base: dict[str, str]) -> dict[str, dict[str, str]]:
        """Per sortable column: its link (this column, the other order when it is the current
        one) and its ``aria-sort``."""
        links = {}
        for column in SORTS:
            current = column == self.sort
            flipped = "desc" if self.order == "asc" else "asc"
            order = flipped if current else FIRST_ORDER[column]
            query = {**base, **self.query(), "sort": column, "order": order}
            state = ("ascending" if self.order == "asc" else "descending") if current else "none"
            links[column] = {"href": f"/market?{urlencode(query)}", "aria_sort": state}
        return links


def script_json(value: Any) -> Markup:
    """``value`` as JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False)
    for character in "<>&":
        text = text.replace(character, f"\\u{ord(character):04x}")
    return Markup(text)


def _interval(text: str | None) -> int:
    """``?interval=`` (``YYYY-MM-DDTHH:MM`` as a datetime-local field sends it, or with
    seconds and ``Z``), aligned down to its 15 minutes; none: the current interval."""
    if not text:
        now = int(time.time())
        return now - now % INTERVAL_SECONDS
    spelled = text if text.endswith("Z") else f"{text}:00Z" if len(text) == 16 else text
    seconds = instant(spelled, "query.interval")
    return seconds - seconds % INTERVAL_SECONDS
