"""The producer page: my open offers of one interval (each with a withdraw form carrying the
session's CSRF token), my sales (kept live by ``static/producer.js`` from
``/api/v1/events``) and my certificates as issued and transferred (paged with the contract's
bookmarks).

Buying from the market page goes through the API (``static/market.js`` posts to
``/api/v1/offers/{id}/buy`` with the ``X-CSRF-Token`` header); the withdraw form here is a
page request and is checked as every state-changing API call is (``auth.actor``).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from gridledger.energy import Trade

from gridledger_portal.accounts import Session
from gridledger_portal.auth import SESSION_COOKIE, Caller, actor, audited, energy, portal_of
from gridledger_portal.routers.common import instant_text
from gridledger_portal.web import i18n
from gridledger_portal.web.pages import _interval, lang_of, page_headers, render, script_json

router = APIRouter(include_in_schema=False)

SALES_READ = 200  # the sales the page renders (newest days last); live ones are added above
CERTIFICATES_PAGE = 20


def _session(request: Request) -> Session | None:
    session_id = request.cookies.get(SESSION_COOKIE)
    return portal_of(request).accounts.session(session_id) if session_id else None


def _page_url(path: str, request: Request, **query: str) -> str:
    lang = request.query_params.get("lang")
    if lang in i18n.LANGUAGES:
        query = {"lang": lang, **query}
    return f"{path}?{urlencode(query)}" if query else path


@router.get("/producer")
async def producer(
    request: Request,
    interval: Annotated[str | None, Query(max_length=40)] = None,
    certificates: Annotated[str, Query(max_length=4096)] = "",
    withdrawn: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    session = _session(request)
    if session is None:
        target = _page_url("/sign-in", request)
        return page_headers(RedirectResponse(target, status_code=303))
    lang = lang_of(request)
    start = _interval(interval)
    client = portal_of(request).ledger.energy(session.user.identity)
    me = (await client.whoami()).participant_id
    offers = [
        {
            "offer_id": offer.offer_id,
            "source": offer.source.value,
            "quantity": i18n.quantity_text(offer.quantity_wh),
            "remaining": i18n.quantity_text(offer.remaining_wh),
            "price": i18n.price_text(offer.price),
        }
        async for offer in client.list_offers(start)
        if offer.seller == me and offer.remaining_wh > 0
    ]
    sales: list[Trade] = []
    async for trade in client.trades():
        if trade.seller == me:
            sales.append(trade)
        if len(sales) >= SALES_READ:
            break
    page = await client.certificates().page(certificates, CERTIFICATES_PAGE)
    words = i18n.messages(lang)
    certificate_rows = [
        {
            "certificate_id": certificate.certificate_id,
            # (text, is a number) in column order
            "cells": [
                (i18n.interval_text(certificate.interval_start, lang), False),
                (words[f"source.{certificate.source.value}"], False),
                (i18n.quantity_text(certificate.wh), True),
                (i18n.quantity_text(certificate.transferred_wh), True),
                (words[f"certificate.{certificate.status.value}"], False),
            ],
        }
        for certificate in page.items
    ]
    live = {"me": me, "lang": lang, "messages": words}
    shown = {
        "interval_value": instant_text(start)[:16],
        "interval_label": i18n.interval_text(start, lang),
    }
    response = render(
        request,
        "producer.html",
        200,
        user=session.user.name,
        csrf=session.csrf,
        **shown,
        offers=offers,
        sales=sale_rows(sales),
        certificates=certificate_rows,
        next_certificates=(
            _page_url("/producer", request, certificates=page.bookmark) if page.bookmark else ""
        ),
        first_certificates=_page_url("/producer", request) if certificates else "",
        withdrawn=withdrawn,
        live=script_json(live),
    )
    return page_headers(response)


def sale_rows(trades: list[Trade]) -> list[dict[str, Any]]:
    """One row per purchase (a transaction's trades, one per interval of the offer), newest
    first as far as the listing's order (by interval day) tells."""
    rows: dict[str, dict[str, Any]] = {}
    for trade in trades:
        transaction = transaction_of(trade.trade_id)
        row = rows.get(transaction)
        if row is None:
            rows[transaction] = {
                "transaction_id": transaction,
                "offer_id": trade.offer_id,
                "buyer": trade.buyer,
                "quantity": i18n.quantity_text(trade.quantity_wh),
                "intervals": 1,
                "price": i18n.price_text(trade.price),
            }
        else:
            row["intervals"] += 1
    return list(reversed(rows.values()))


def transaction_of(trade_id: str) -> str:
    """The transaction that created a trade (its id is ``trade.<transaction>.<n>``)."""
    head, _, tail = trade_id.rpartition(".")
    if head.startswith("trade.") and tail.isdigit():
        return head.removeprefix("trade.")
    return trade_id


@router.post("/producer/offers/{offer_id}/withdraw")
async def withdraw(
    offer_id: str,
    request: Request,
    who: Annotated[Caller, Depends(actor)],
    interval: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    async with audited(portal_of(request), who, "withdraw offer", offer_id) as commits:
        await energy(request, who).withdraw_offer(offer_id)
    query = {"withdrawn": commits[-1].transaction_id if commits else offer_id}
    if interval:
        query["interval"] = instant_text(_interval(interval))[:16]
    return page_headers(RedirectResponse(_page_url("/producer", request, **query), status_code=303))
