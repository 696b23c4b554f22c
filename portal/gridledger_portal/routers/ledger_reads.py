"""Reading the ledger as the signed-in user: participants, meters and their readings, trades,
tariffs and certificates (the contract decides what each identity may see)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from gridledger_portal.auth import Caller, caller, energy
from gridledger_portal.routers.common import Bookmark, PageOut, PageSize, as_json, instant, page_of

Who = Annotated[Caller, Depends(caller)]
Participant = Annotated[
    str | None, Query(description="A participant id (default: the caller).", max_length=300)
]

participants = APIRouter(prefix="/participants", tags=["participants"])
meters = APIRouter(prefix="/meters", tags=["meters"])
trades = APIRouter(prefix="/trades", tags=["trades"])
tariffs = APIRouter(prefix="/tariffs", tags=["tariffs"])
certificates = APIRouter(prefix="/certificates", tags=["certificates"])


@participants.get("", summary="Every registered participant (utility and auditors)")
async def list_participants(
    request: Request, who: Who, page_size: PageSize = 100, bookmark: Bookmark = ""
) -> PageOut:
    return await page_of(energy(request, who).participants(), page_size, bookmark)


@participants.get("/{participant_id:path}", summary="One participant")
async def get_participant(participant_id: str, request: Request, who: Who) -> dict[str, Any]:
    record = await energy(request, who).participant(participant_id)
    return dict(as_json(record))


@meters.get("", summary="An owner's meters (default: the caller's)")
async def list_meters(
    request: Request,
    who: Who,
    owner: Participant = None,
    page_size: PageSize = 100,
    bookmark: Bookmark = "",
) -> PageOut:
    return await page_of(energy(request, who).meters(owner), page_size, bookmark)


@meters.get("/{meter_id}", summary="One meter")
async def get_meter(meter_id: str, request: Request, who: Who) -> dict[str, Any]:
    return dict(as_json(await energy(request, who).meter(meter_id)))


@meters.get("/{meter_id}/readings", summary="A meter's readings from..to (inclusive)")
async def list_readings(
    meter_id: str,
    request: Request,
    who: Who,
    start: Annotated[str, Query(alias="from", description="YYYY-MM-DD or an instant (UTC).")],
    end: Annotated[str, Query(alias="to", description="YYYY-MM-DD or an instant (UTC).")],
    page_size: PageSize = 100,
    bookmark: Bookmark = "",
) -> PageOut:
    listing = energy(request, who).readings(
        meter_id, instant(start, "query.from"), instant(end, "query.to")
    )
    return await page_of(listing, page_size, bookmark)


@trades.get("", summary="A participant's trades (default: the caller's)")
async def list_trades(
    request: Request,
    who: Who,
    participant: Participant = None,
    page_size: PageSize = 100,
    bookmark: Bookmark = "",
) -> PageOut:
    return await page_of(energy(request, who).trades(participant), page_size, bookmark)


@tariffs.get("", summary="Every tariff version, oldest first")
async def list_tariffs(
    request: Request, who: Who, page_size: PageSize = 100, bookmark: Bookmark = ""
) -> PageOut:
    return await page_of(energy(request, who).tariffs(), page_size, bookmark)


@certificates.get("", summary="An owner's renewable certificates (default: the caller's)")
async def list_certificates(
    request: Request,
    who: Who,
    owner: Participant = None,
    page_size: PageSize = 100,
    bookmark: Bookmark = "",
) -> PageOut:
    return await page_of(energy(request, who).certificates(owner), page_size, bookmark)
