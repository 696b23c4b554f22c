"""``GET /api/v1/events``: market events as server-sent events (``gridledger_portal.events``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse

from gridledger_portal.auth import Caller, caller, portal_of
from gridledger_portal.events import EventPosition, live_market_events, market_events

router = APIRouter(tags=["events"])


@router.get(
    "/events",
    summary="Market events (OfferPosted, OfferWithdrawn, TradeCreated) as server-sent events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(
    request: Request,
    who: Annotated[Caller, Depends(caller)],
    last_event_id: Annotated[
        str | None,
        Header(description="Resume after this event id (<block>-<position>)."),
    ] = None,
) -> StreamingResponse:
    after = None
    if last_event_id:
        after = EventPosition.parse(last_event_id)
        if after is None:
            raise RequestValidationError(
                [
                    {
                        "loc": ("header", "last-event-id"),
                        "msg": "an event id is <block>-<position>, e.g. 12-0",
                        "type": "value_error",
                    }
                ]
            )
    portal = portal_of(request)
    heartbeat = portal.settings.event_heartbeat_seconds
    identity = portal.ledger.identity(who.user.identity)
    stream = (
        live_market_events(identity.feed, heartbeat)
        if after is None
        else market_events(identity.network, portal.settings.chaincode, after, heartbeat)
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
