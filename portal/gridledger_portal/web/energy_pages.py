"""*My energy* and *My bills*: the signed-in user's own meters' consumption and production (a
UTC day per 15 minutes, or a month per day; a chart, the same figures as a table, a download)
and bills (the list, a bill's lines and total, the renewable match per hour, verification on
the ledger, a print layout).

Everything is read with the user's own Fabric identity, so the contract decides what they may
see; a meter that is not the user's is refused before the ledger is asked, another user's bill
by the contract. Refusals are pages (403, 404) in the user's language.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from gridledger.cli.render import short_name
from gridledger.energy import AsyncEnergyClient, Bill, BillVerification, LineItem, Meter
from gridledger.energy.paging import MAX_PAGE_SIZE
from gridledger_domain import format_utc, interval_energy, parse_utc
from gridledger_domain.refusals import AccessDenied, NotFound
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS, day_of

from gridledger_portal.accounts import Session
from gridledger_portal.auth import SESSION_COOKIE, Caller, actor, portal_of
from gridledger_portal.web import charts, i18n
from gridledger_portal.web.pages import lang_of, page_headers, render

router = APIRouter(include_in_schema=False)

BILLS_PER_PAGE = 20
EXPORT_COLUMNS = ("meter_id", "interval_start", "consumption_wh", "production_wh")


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


class Refused(Exception):
    """A page the user may not see (403) or that does not exist (404): ``reason`` is a
    catalogue key."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Span:
    """What a page shows: a UTC day per 15 minutes, or a UTC month per day."""

    start: int
    end: int
    monthly: bool

    @property
    def slots(self) -> range:
        if self.monthly:
            return range(self.start, self.end, DAY_SECONDS)
        return range(self.start, self.end, INTERVAL_SECONDS)

    def slot_of(self, instant: int) -> int:
        return day_of(instant) if self.monthly else instant

    @property
    def name(self) -> str:
        return format_utc(self.start)[: 7 if self.monthly else 10]


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a page request and their energy client."""

    request: Request
    session: Session
    client: AsyncEnergyClient

    def page(self, template: str, status: int = 200, **context: Any) -> Response:
        user, csrf = self.session.user.name, self.session.csrf
        response = render(self.request, template, status, user=user, csrf=csrf, **context)
        return page_headers(response)

    @property
    def lang(self) -> str:
        return lang_of(self.request)


Handler = Callable[[Viewer], Awaitable[Response]]


async def _as_user(request: Request, handler: Handler) -> Response:
    """``handler``'s answer for the signed-in user; without one the sign-in page, and a page
    saying why when the handler refuses."""
    session_id = request.cookies.get(SESSION_COOKIE)
    session = portal_of(request).accounts.session(session_id) if session_id else None
    if session is None:
        lang = request.query_params.get("lang")
        query = f"?{urlencode({'lang': lang})}" if lang in i18n.LANGUAGES else ""
        return page_headers(RedirectResponse(f"/sign-in{query}", status_code=303))
    viewer = Viewer(request, session, portal_of(request).ledger.energy(session.user.identity))
    try:
        return await handler(viewer)
    except Refused as refused:
        title = "refused.title" if refused.status == 403 else "refused.not_found"
        return viewer.page("refused.html", refused.status, title=title, reason=refused.reason)


def _span(day: str | None, month: str | None) -> Span:
    """``?month=YYYY-MM`` or ``?day=YYYY-MM-DD`` (default: today, UTC)."""
    try:
        if month:
            start = parse_utc(f"{month}-01T00:00:00Z")
            moment = time.gmtime(start)
            days = calendar.monthrange(moment.tm_year, moment.tm_mon)[1]
            return Span(start, start + days * DAY_SECONDS, True)
        start = parse_utc(f"{day}T00:00:00Z") if day else day_of(int(time.time()))
    except ValueError:
        raise Refused(404, "energy.no_readings") from None
    return Span(start, start + DAY_SECONDS, False)


async def _meter_energy(
    client: AsyncEnergyClient, meter: Meter, span: Span
) -> dict[int, tuple[int, int]]:
    """The meter's (consumption, production) Wh per interval of ``span`` (the meter's own
    length: 15, 30 or 60 minutes): the difference of the cumulative registers of consecutive
    readings (an interval without both is left out)."""
    listing = client.readings(meter.meter_id, span.start, span.end, page_size=MAX_PAGE_SIZE)
    registers = {r.reading.interval_start: r.reading async for r in listing}
    energy = {}
    for start, reading in registers.items():
        after = registers.get(start + meter.interval_seconds)
        if after is not None and start < span.end:
            energy[start] = interval_energy(reading, after)
    return energy


async def _own_meters(
    client: AsyncEnergyClient, meter: str | None
) -> tuple[list[str], list[Meter]]:
    """The user's meter ids, and the meters to show (``meter``: only that one, refused unless
    it is theirs)."""
    mine = [m async for m in client.meters(page_size=MAX_PAGE_SIZE)]
    if meter and meter not in {m.meter_id for m in mine}:
        raise Refused(403, "refused.meter")
    return [m.meter_id for m in mine], [m for m in mine if not meter or m.meter_id == meter]


async def _energy_of(
    client: AsyncEnergyClient, meters: list[Meter], span: Span
) -> dict[str, dict[int, tuple[int, int]]]:
    return {m.meter_id: await _meter_energy(client, m, span) for m in meters}


def _slots(span: Span, energy: dict[str, dict[int, tuple[int, int]]]) -> list[dict[str, Any]]:
    """Each slot of ``span`` with the sum over the meters (None where no meter reported)."""
    sums: dict[int, tuple[int, int]] = {}
    for intervals in energy.values():
        for start, (consumed, produced) in intervals.items():
            slot = span.slot_of(start)
            before = sums.get(slot, (0, 0))
            sums[slot] = (before[0] + consumed, before[1] + produced)
    return [
        {"start": slot, "consumption": sums.get(slot, (None, None))[0],
         "production": sums.get(slot, (None, None))[1]}
        for slot in span.slots
    ]  # fmt: skip


def _chart(span: Span, slots: list[dict[str, Any]]) -> charts.Chart:
    if span.monthly:
        labels = [(i, str(time.gmtime(s["start"]).tm_mday)) for i, s in enumerate(slots)]
        labels = [label for label in labels if label[0] % 5 == 0]
    else:
        labels = [(i * 12, f"{i * 3:02d}:00") for i in range(8)]
    return charts.bar_chart(
        [
            ("consumption", [s["consumption"] for s in slots]),
            ("production", [s["production"] for s in slots]),
        ],
        labels,
    )


class Asked:
    """What an energy page or download shows: ``?day=`` or ``?month=``, ``?meter=`` (default:
    all the user's meters)."""

    def __init__(
        self,
        day: Annotated[str | None, Query(max_length=10)] = None,
        month: Annotated[str | None, Query(max_length=7)] = None,
        meter: Annotated[str | None, Query(max_length=64)] = None,
    ) -> None:
        self.day, self.month, self.meter = day, month, meter

    async def read(
        self, client: AsyncEnergyClient
    ) -> tuple[Span, list[str], dict[str, dict[int, tuple[int, int]]]]:
        """The span, all the user's meters, and the energy of those shown."""
        span = _span(self.day, self.month)
        mine, shown = await _own_meters(client, self.meter)
        return span, mine, await _energy_of(client, shown, span)


@router.get("/energy")
async def energy_page(request: Request, asked: Annotated[Asked, Depends()]) -> Response:
    async def page(viewer: Viewer) -> Response:
        span, mine, energy = await asked.read(viewer.client)
        slots = _slots(span, energy)
        lang = viewer.lang
        known = [s for s in slots if s["consumption"] is not None]
        rows = [
            {
                "when": i18n.date_text(s["start"], lang)
                if span.monthly
                else time.strftime("%H:%M", time.gmtime(s["start"])),
                "consumption": _number(s["consumption"]),
                "production": _number(s["production"]),
            }
            for s in slots
        ]
        query = {"lang": lang, ("month" if span.monthly else "day"): span.name}
        if asked.meter:
            query["meter"] = asked.meter
        return viewer.page(
            "energy.html",
            span=span,
            day_value=format_utc(span.start)[:10],
            month_value=format_utc(span.start)[:7],
            label=(i18n.month_text if span.monthly else i18n.date_text)(span.start, lang),
            meters=mine,
            meter=asked.meter or "",
            chart=_chart(span, slots),
            rows=rows,
            has_data=bool(known),
            total_consumption=_number(sum(s["consumption"] for s in known)),
            total_production=_number(sum(s["production"] for s in known)),
            csv_url=f"/energy/export?{urlencode({**query, 'format': 'csv'})}",
            json_url=f"/energy/export?{urlencode({**query, 'format': 'json'})}",
        )

    return await _as_user(request, page)


def _number(value: int | None) -> str:
    return "" if value is None else i18n.quantity_text(value)


@router.get("/energy/export")
async def energy_export(
    request: Request, asked: Annotated[Asked, Depends()], format: Format = Format.CSV
) -> Response:
    """The user's own energy per 15 minutes of the day or month, as CSV or JSON."""

    async def download(viewer: Viewer) -> Response:
        span, _, energy = await asked.read(viewer.client)
        rows = [
            (meter_id, format_utc(start), consumed, produced)
            for meter_id, intervals in energy.items()
            for start, (consumed, produced) in sorted(intervals.items())
        ]
        name = f"energy-{span.name}.{format}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if format is Format.CSV:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(rows)
            body, media = out.getvalue(), "text/csv; charset=utf-8"
        else:
            document = {
                "from": format_utc(span.start),
                "to": format_utc(span.end),
                "intervals": [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows],
            }
            body, media = json.dumps(document, indent=2) + "\n", "application/json"
        return page_headers(Response(body, media_type=media, headers=headers))

    return await _as_user(request, download)


# -- bills ----------------------------------------------------------------------------------


def _period(period: str) -> tuple[int, int]:
    """``YYYY-MM-DD..YYYY-MM-DD`` (UTC midnights) as Unix seconds."""
    first, _, last = period.partition("..")
    try:
        return parse_utc(f"{first}T00:00:00Z"), parse_utc(f"{last}T00:00:00Z")
    except ValueError:
        raise Refused(404, "refused.no_bill") from None


def period_of(bill: Bill) -> str:
    return f"{format_utc(bill.period_start)[:10]}..{format_utc(bill.period_end)[:10]}"


def _period_text(bill: Bill, lang: str) -> str:
    last = bill.period_end - DAY_SECONDS
    first = i18n.date_text(bill.period_start, lang)
    return (
        first
        if last == bill.period_start
        else f"{first} {i18n.CATALOGUE['bills.until'][lang]} {i18n.date_text(last, lang)}"
    )


@router.get("/bills")
async def bills_page(
    request: Request, bookmark: Annotated[str, Query(max_length=4096)] = ""
) -> Response:
    async def page(viewer: Viewer) -> Response:
        found = await viewer.client.bills().page(bookmark, BILLS_PER_PAGE)
        lang = viewer.lang
        rows = [
            {
                "period": period_of(bill),
                "label": _period_text(bill, lang),
                "status": "bills.complete" if bill.complete else "bills.incomplete",
                "total": i18n.money_text(bill.total, bill.currency, lang),
            }
            for bill in found.items
        ]
        following = urlencode({"lang": lang, "bookmark": found.bookmark})
        return viewer.page(
            "bills.html",
            bills=rows,
            next_url=f"/bills?{following}" if found.bookmark else "",
            first_url=f"/bills?{urlencode({'lang': lang})}" if bookmark else "",
        )

    return await _as_user(request, page)


Participant = Annotated[str | None, Query(max_length=300)]


@router.get("/bills/{period}")
async def bill_page(request: Request, period: str, participant: Participant = None) -> Response:
    return await _as_user(request, lambda viewer: _bill(viewer, period, participant, False))


@router.post("/bills/{period}/verify")
async def verify_page(
    request: Request,
    period: str,
    who: Annotated[Caller, Depends(actor)],
    participant: Participant = None,
) -> Response:
    """Recompute the bill from the ledger (a form with the session's CSRF token)."""
    return await _as_user(request, lambda viewer: _bill(viewer, period, participant, True))


async def _bill(viewer: Viewer, period: str, participant: str | None, verify: bool) -> Response:
    start, end = _period(period)
    client = viewer.client
    bill = await _read(client.bill(participant, start, end))
    verification = await _read(client.verify_bill(participant, start, end)) if verify else None
    return viewer.page("bill.html", **_bill_context(bill, verification, viewer.request))


async def _read(awaitable: Any) -> Any:
    try:
        return await awaitable
    except AccessDenied:
        raise Refused(403, "refused.bill") from None
    except NotFound:
        raise Refused(404, "refused.no_bill") from None


def _bill_context(
    bill: Bill, verification: BillVerification | None, request: Request
) -> dict[str, Any]:
    lang = lang_of(request)

    def money(minor: int) -> str:
        return i18n.money_text(minor, bill.currency, lang)

    hours = bill.matched_hours
    chart = charts.bar_chart(
        [
            ("consumption", [h.consumed_wh for h in hours]),
            ("matched", [h.matched_wh for h in hours]),
        ],
        [(i, f"{time.gmtime(h.start).tm_hour:02d}") for i, h in enumerate(hours) if i % 3 == 0],
    )
    query = {"lang": lang} | (
        {"participant": request.query_params["participant"]}
        if "participant" in request.query_params
        else {}
    )
    export = f"/api/v1/bills/{period_of(bill).replace('..', '/')}/export"
    return {
        "period": period_of(bill),
        "period_label": _period_text(bill, lang),
        "bill": bill,
        "lines": [_line(line, bill.currency, lang) for line in bill.lines],
        "subtotal": money(bill.subtotal),
        "tax": money(bill.tax),
        "total": money(bill.total),
        "total_minor": bill.total,
        "chart": chart,
        "hours": [
            {
                "hour": time.strftime("%H:00", time.gmtime(h.start)),
                "date": i18n.date_text(h.start, lang),
                "consumed": i18n.quantity_text(h.consumed_wh),
                "matched": i18n.quantity_text(h.matched_wh),
                "share": f"{h.share_bp / 100:.2f} %",
            }
            for h in hours
        ],
        "verification": verification,
        "verify_url": f"/bills/{period_of(bill)}/verify?{urlencode(query)}",
        "csv_url": f"{export}?{urlencode({**query, 'format': 'csv'})}",
        "json_url": f"{export}?{urlencode({**query, 'format': 'json'})}",
    }


def _line(line: LineItem, currency: str, lang: str) -> dict[str, Any]:
    """A bill line as the page shows it: its label (a catalogue key and the counterparty or
    band), quantity, unit price and amount."""
    if line.unit == "Wh":
        quantity = (i18n.quantity_text(line.quantity), "bill.wh")
        price = (i18n.money_text(line.unit_price, currency, lang, scale=10_000), "bill.per_kwh")
    elif line.unit == "day":
        days = "bill.day" if line.quantity == 1 else "bill.days"
        quantity = (i18n.quantity_text(line.quantity), days)
        price = (i18n.money_text(line.unit_price, currency, lang), "bill.per_day")
    else:  # tax: on an amount, at basis points
        quantity = (i18n.money_text(line.quantity, currency, lang), "")
        price = (f"{line.unit_price / 100:.2f} %", "")
    return {
        "kind": line.kind.value,
        "label": f"bill.{line.kind.value}",
        "party": short_name(line.counterparty) if line.counterparty else line.band,
        "estimated": line.estimated,
        "corrects": i18n.date_text(line.corrects, lang) if line.corrects else "",
        "quantity": quantity,
        "unit_price": price,
        "amount": i18n.money_text(line.amount, currency, lang),
        "amount_minor": line.amount,
    }
