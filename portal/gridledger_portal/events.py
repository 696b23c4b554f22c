"""Market events as server-sent events, from the contract's chaincode events.

Each event's id is its place on the ledger, ``<block>-<position>`` (the position of the
chaincode event among the block's events of the chaincode), so it means the same after a
portal restart: a client that reconnects with ``Last-Event-ID: 12-0`` gets every market event
after that one (the stream restarts at block 12 and skips what the client has seen). Without
it the stream starts at the next block committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

from gridledger.gateway import AsyncNetwork, GatewayError
from gridledger.gateway.chaincode_event import ChaincodeEvent

MARKET_EVENTS = frozenset({"OfferPosted", "OfferWithdrawn", "TradeCreated"})
_EVENT_ID = re.compile(r"^(\d{1,18})-(\d{1,9})$")


class EventPosition(NamedTuple):
    """Where an event is on the ledger: block number, position among the block's events
    (ordered as they are on the ledger)."""

    block: int
    position: int

    def __str__(self) -> str:
        return f"{self.block}-{self.position}"

    @classmethod
    def parse(cls, text: str) -> EventPosition | None:
        """``<block>-<position>``; None for anything else."""
        found = _EVENT_ID.match(text.strip())
        return None if found is None else cls(int(found.group(1)), int(found.group(2)))


def sse_message(event: str, event_id: str, data: dict[str, Any]) -> str:
    """One server-sent event (JSON data on one line)."""
    return f"id: {event_id}\nevent: {event}\ndata: {json.dumps(data, sort_keys=True)}\n\n"


def sse_comment(text: str) -> str:
    return f": {text}\n\n"


def event_data(event: ChaincodeEvent, position: EventPosition) -> dict[str, Any]:
    try:
        payload: Any = json.loads(event.payload)
    except ValueError:
        payload = event.payload.decode("utf-8", "replace")
    return {
        "name": event.event_name,
        "block": position.block,
        "position": position.position,
        "transaction_id": event.transaction_id,
        "payload": payload,
    }


def positioned(
    events: list[tuple[ChaincodeEvent, EventPosition]],
    event: ChaincodeEvent,
) -> EventPosition:
    """The position of ``event`` after the events seen before it (``events``: the last one)."""
    if events and events[-1][0].block_number == event.block_number:
        return EventPosition(event.block_number, events[-1][1].position + 1)
    return EventPosition(event.block_number, 0)


async def market_events(
    network: AsyncNetwork,
    chaincode: str,
    after: EventPosition | None,
    heartbeat: float,
) -> AsyncIterator[str]:
    """The SSE text of the market events after ``after`` (None: from the next block), with a
    comment every ``heartbeat`` seconds when nothing happens; ends when the ledger's stream
    ends (the client reconnects with its last id)."""
    start = None if after is None else after.block
    stream = network.chaincode_events(chaincode, start_block=start)
    queue: asyncio.Queue[ChaincodeEvent | Exception | None] = asyncio.Queue()

    async def pump() -> None:
        try:
            async for event in stream:
                await queue.put(event)
            await queue.put(None)
        except GatewayError as error:
            await queue.put(error)

    reader = asyncio.create_task(pump())
    last: list[tuple[ChaincodeEvent, EventPosition]] = []
    try:
        yield sse_comment("market events; reconnect with Last-Event-ID to resume")
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), heartbeat)
            except TimeoutError:
                yield sse_comment("keep-alive")
                continue
            if item is None:
                return
            if isinstance(item, Exception):
                yield sse_comment(f"ledger stream ended: {str(item).splitlines()[0]}")
                return
            position = positioned(last, item)
            last[:] = [(item, position)]
            if after is not None and position <= after:
                continue
            if item.event_name in MARKET_EVENTS:
                yield sse_message(item.event_name, str(position), event_data(item, position))
    finally:
        stream.close()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, GatewayError):
            await reader
