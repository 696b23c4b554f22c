"""``GET /api/v1/events``: market events as server-sent events (``gridledger_portal.events``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse

from gridledger_portal.auth import Caller, caller, portal_of
from gridledger_portal.events import EventPosition, market_events

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
    network = portal.ledger.identity(who.user.identity).network
    stream = market_events(
        network, portal.settings.chaincode, after, portal.settings.event_heartbeat_seconds
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
