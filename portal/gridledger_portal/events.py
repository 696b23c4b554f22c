"""Market events as server-sent events, from the contract's chaincode events.

Each event's id is its place on the ledger, ``<block>-<position>`` (the position of the
chaincode event among the block's events of the chaincode), so it means the same after a
portal restart: a client that reconnects with ``Last-Event-ID: 12-0`` gets every market event
after that one (the stream restarts at block 12 and skips what the client has seen). Without
it the stream starts at the next block committed.

Live streams (no ``Last-Event-ID``) of one identity share one ledger stream (``LiveFeed``):
a thousand open market pages of a user cost the peer one chaincode-event stream, not a
thousand. A resuming client gets a stream of its own from the block it names.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from gridledger.gateway import AsyncNetwork, GatewayError
from gridledger.gateway.chaincode_event import ChaincodeEvent

MARKET_EVENTS = frozenset({"OfferPosted", "OfferWithdrawn", "TradeCreated"})
_EVENT_ID = re.compile(r"^(\d{1,18})-(\d{1,9})$")
BACKLOG_LIMIT = 1000
"""Messages a live client may fall behind by; beyond that its stream ends (it resumes with
its last event id, missing nothing)."""


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


async def _market_messages(stream: Any) -> AsyncIterator[tuple[EventPosition, str]]:
    """The SSE messages of the market events of a chaincode-event stream, with positions."""
    last: list[tuple[ChaincodeEvent, EventPosition]] = []
    async for event in stream:
        position = positioned(last, event)
        last[:] = [(event, position)]
        if event.event_name in MARKET_EVENTS:
            text = sse_message(event.event_name, str(position), event_data(event, position))
            yield position, text


def _ended(error: GatewayError) -> str:
    return sse_comment(f"ledger stream ended: {str(error).splitlines()[0]}")


async def _relay(texts: asyncio.Queue[str | None], heartbeat: float) -> AsyncIterator[str]:
    """``texts`` until None, with a comment every ``heartbeat`` seconds when nothing comes."""
    yield sse_comment("market events; reconnect with Last-Event-ID to resume")
    while True:
        try:
            text = await asyncio.wait_for(texts.get(), heartbeat)
        except TimeoutError:
            yield sse_comment("keep-alive")
            continue
        if text is None:
            return
        yield text


async def market_events(
    network: AsyncNetwork,
    chaincode: str,
    after: EventPosition,
    heartbeat: float,
) -> AsyncIterator[str]:
    """The SSE text of the market events after ``after`` (a stream of its own, from that
    block), with a comment every ``heartbeat`` seconds when nothing happens; ends when the
    ledger's stream ends (the client reconnects with its last id)."""
    texts: asyncio.Queue[str | None] = asyncio.Queue()

    async def pump() -> None:
        stream = network.chaincode_events(chaincode, start_block=after.block)
        try:
            async for position, text in _market_messages(stream):
                if position > after:
                    await texts.put(text)
        except GatewayError as error:
            await texts.put(_ended(error))
        finally:
            stream.close()
            texts.put_nowait(None)

    reader = asyncio.create_task(pump())
    try:
        async for text in _relay(texts, heartbeat):
            yield text
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


@dataclass
class LiveFeed:
    """One identity's live market events, from the block after the first client joined, read
    from the ledger once and handed to every client listening (each a queue of SSE text; None
    ends a client's stream). The ledger stream closes when the last client leaves."""

    network: AsyncNetwork
    chaincode: str
    on_market_event: Callable[[], None] = lambda: None
    """Told of each market event as it arrives (the portal empties its market cache)."""
    _clients: set[asyncio.Queue[str | None]] = field(default_factory=set)
    _reader: asyncio.Task[None] | None = None

    def join(self) -> asyncio.Queue[str | None]:
        client: asyncio.Queue[str | None] = asyncio.Queue()
        self._clients.add(client)
        if self._reader is None:
            self._reader = asyncio.create_task(self._read())
        return client

    def leave(self, client: asyncio.Queue[str | None]) -> None:
        self._clients.discard(client)
        if not self._clients and self._reader is not None:
            self._reader.cancel()
            self._reader = None

    def close(self) -> None:
        """End every client's stream and the ledger stream (the portal stops)."""
        if self._reader is not None:
            self._reader.cancel()
        clients, self._clients, self._reader = self._clients, set(), None
        for client in clients:
            client.put_nowait(None)

    async def _read(self) -> None:
        stream = self.network.chaincode_events(self.chaincode, start_block=None)
        end: str | None = None
        try:
            async for _, text in _market_messages(stream):
                self.on_market_event()
                self._send(text)
                if not self._clients:  # the last ones fell too far behind
                    break
        except GatewayError as error:
            end = _ended(error)
        finally:
            stream.close()
        clients, self._clients, self._reader = self._clients, set(), None
        for client in clients:
            if end is not None:
                client.put_nowait(end)
            client.put_nowait(None)

    def _send(self, text: str) -> None:
        for client in list(self._clients):
            if client.qsize() >= BACKLOG_LIMIT:
                self._clients.discard(client)
                client.put_nowait(None)
            else:
                client.put_nowait(text)


async def live_market_events(feed: LiveFeed, heartbeat: float) -> AsyncIterator[str]:
    """The SSE text of ``feed``'s market events, with a comment every ``heartbeat`` seconds
    when nothing happens; ends when the feed ends (the client reconnects with its last id)."""
    client = feed.join()
    try:
        async for text in _relay(client, heartbeat):
            yield text
    finally:
        feed.leave(client)
