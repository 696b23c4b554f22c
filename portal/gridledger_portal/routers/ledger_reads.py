"""Reading the ledger as the signed-in user: participants, meters and their readings, trades,
tariffs and certificates (the contract decides what each identity may see)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from gridledger.energy import AsyncEnergyClient
from gridledger.energy._async.listing import AsyncListing

from gridledger_portal.auth import Caller, caller, energy
from gridledger_portal.routers.common import Bookmark, PageOut, PageSize, as_json, instant, page_of

Who = Annotated[Caller, Depends(caller)]
Participant = Annotated[
    str | None, Query(description="Whose (a participant id; default: the caller).", max_length=300)
]

participants = APIRouter(prefix="/participants", tags=["participants"])
meters = APIRouter(prefix="/meters", tags=["meters"])
trades = APIRouter(prefix="/trades", tags=["trades"])
tariffs = APIRouter(prefix="/tariffs", tags=["tariffs"])
certificates = APIRouter(prefix="/certificates", tags=["certificates"])

Whose = Callable[[AsyncEnergyClient, str | None], AsyncListing[Any]]


def whose_listing(router: APIRouter, name: str, summary: str, listing: Whose) -> None:
    """``GET`` on ``router``: one page of ``listing`` for ``?participant=`` (default: the
    caller)."""

    async def endpoint(
        request: Request,
        who: Who,
        participant: Participant = None,
        page_size: PageSize = 100,
        bookmark: Bookmark = "",
    ) -> PageOut:
        return await page_of(listing(energy(request, who), participant), page_size, bookmark)

    router.add_api_route("", endpoint, methods=["GET"], summary=summary, name=name)


def listing_of_all(
    router: APIRouter, name: str, summary: str, listing: Callable[[AsyncEnergyClient], Any]
) -> None:
    """``GET`` on ``router``: one page of ``listing``."""

    async def endpoint(
        request: Request, who: Who, page_size: PageSize = 100, bookmark: Bookmark = ""
    ) -> PageOut:
        return await page_of(listing(energy(request, who)), page_size, bookmark)

    router.add_api_route("", endpoint, methods=["GET"], summary=summary, name=name)


listing_of_all(
    participants,
    "list_participants",
    "Every registered participant (utility and auditors)",
    lambda client: client.participants(),
)
listing_of_all(tariffs, "list_tariffs", "Every tariff version", lambda c: c.tariffs())
whose_listing(meters, "list_meters", "A participant's meters", lambda c, p: c.meters(p))
whose_listing(trades, "list_trades", "A participant's trades", lambda c, p: c.trades(p))
whose_listing(
    certificates,
    "list_certificates",
    "A participant's renewable certificates",
    lambda client, participant: client.certificates(participant),
)


@participants.get("/{participant_id:path}", summary="One participant")
async def get_participant(participant_id: str, request: Request, who: Who) -> dict[str, Any]:
    record = await energy(request, who).participant(participant_id)
    return dict(as_json(record))


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
