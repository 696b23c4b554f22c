"""The market: open offers (cheapest first, filtered by source and zone, paged with the
contract's bookmarks), posting and withdrawing an offer, and buying from one."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from gridledger_domain.vocabulary import EnergySource
from pydantic import BaseModel, Field

from gridledger_portal.auth import Caller, actor, audited, caller, energy, portal_of
from gridledger_portal.routers.common import Bookmark, PageOut, PageSize, as_json, instant, page_of

router = APIRouter(prefix="/offers", tags=["offers"])

Who = Annotated[Caller, Depends(caller)]
Actor = Annotated[Caller, Depends(actor)]


class OfferSort(StrEnum):
    PRICE = "price"


class OfferIn(BaseModel):
    meter_id: str = Field(min_length=1, max_length=64, description="The producing meter.")
    interval_start: str = Field(description="First interval, YYYY-MM-DDTHH:MM:SSZ (UTC).")
    interval_count: int = Field(ge=1, le=96 * 31, description="Consecutive 15-minute intervals.")
    quantity_wh: int = Field(ge=1, description="Energy offered in each interval, Wh.")
    price: int = Field(
        ge=0, description="Minor currency units per kWh, scaled by 10 000 (4 decimals)."
    )


class BuyIn(BaseModel):
    quantity_wh: int = Field(ge=1, description="Energy to buy in each interval of the offer, Wh.")


@router.get("", summary="Open offers with energy left in an interval, cheapest first")
async def list_offers(
    request: Request,
    who: Who,
    interval: Annotated[str, Query(description="The interval: YYYY-MM-DDTHH:MM:SSZ (UTC).")],
    source: Annotated[EnergySource | None, Query(description="Only this energy source.")] = None,
    zone: Annotated[str | None, Query(max_length=64, description="Only this grid zone.")] = None,
    sort: Annotated[OfferSort, Query(description="price: cheapest first, then by id.")] = (
        OfferSort.PRICE
    ),
    page_size: PageSize = 100,
    bookmark: Bookmark = "",
) -> PageOut:
    at = instant(interval, "query.interval")
    listing = energy(request, who).list_offers(at, source=source, zone=zone)
    key = ("offers", who.user.identity, at, source, zone, page_size, bookmark)
    answer: PageOut = await portal_of(request).market_cache.get(
        key, lambda: page_of(listing, page_size, bookmark)
    )
    return answer


@router.get("/{offer_id}", summary="One offer")
async def get_offer(offer_id: str, request: Request, who: Who) -> dict[str, Any]:
    return dict(as_json(await energy(request, who).offer(offer_id)))


@router.post("", status_code=201, summary="Post an offer (producers, for their own meters)")
async def post_offer(body: OfferIn, request: Request, who: Actor) -> dict[str, Any]:
    client = energy(request, who)
    start = instant(body.interval_start, "body.interval_start")
    async with audited(portal_of(request), who, "post offer", body.meter_id) as commits:
        offer = await client.post_offer(
            body.meter_id, start, body.interval_count, body.quantity_wh, body.price
        )
    return {"offer": as_json(offer), "transaction_id": _last(commits)}


@router.post("/{offer_id}/withdraw", summary="Withdraw an offer (its seller)")
async def withdraw_offer(offer_id: str, request: Request, who: Actor) -> dict[str, Any]:
    client = energy(request, who)
    async with audited(portal_of(request), who, "withdraw offer", offer_id) as commits:
        offer = await client.withdraw_offer(offer_id)
    return {"offer": as_json(offer), "transaction_id": _last(commits)}


@router.post(
    "/{offer_id}/buy", status_code=201, summary="Buy from an offer: one trade per interval"
)
async def buy(offer_id: str, body: BuyIn, request: Request, who: Actor) -> dict[str, Any]:
    client = energy(request, who)
    detail = f"{offer_id} {body.quantity_wh} Wh"
    async with audited(portal_of(request), who, "buy", detail) as commits:
        trades = await client.buy(offer_id, body.quantity_wh)
    return {"trades": as_json(trades), "transaction_id": _last(commits)}


def _last(commits: list[Any]) -> str | None:
    return str(commits[-1].transaction_id) if commits else None
