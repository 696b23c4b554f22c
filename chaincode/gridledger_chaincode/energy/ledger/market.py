"""Offers, purchases and trade history on the ledger.

Open offers are indexed by the UTC days they deliver in (``energy.open_offer``: day, price,
offer id), written when an offer is posted and removed when it is bought out or withdrawn, so
listing one interval's offers reads only that day's open offers, cheapest first then by id.
Offers posted before the index existed have no entries and are not listed (the demo and the
tests start fresh ledgers)."""

from __future__ import annotations

import json
from typing import Any

from gridledger_domain import INTERVAL_SECONDS, parse_utc
from gridledger_domain.identifiers import validate_zone
from gridledger_domain.records import Offer, Trade
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest
from gridledger_domain.timeutil import DAY_SECONDS, day_of
from gridledger_domain.units import MAX_PRICE
from gridledger_domain.vocabulary import (
    BUYING_ROLES,
    SELLING_ROLES,
    EnergySource,
    MeterKind,
    parse_word,
)

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.certificates import CertificateDesk
from gridledger_chaincode.energy.ledger.closing import ClosedDays
from gridledger_chaincode.energy.ledger.meters import load_meter
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.state import (
    OFFER,
    OPEN_OFFER,
    TRADE,
    TRADE_BY_PARTY,
    State,
    day_text,
)
from gridledger_chaincode.energy.market import buy, list_offers, withdraw

PRICE_DIGITS = len(str(MAX_PRICE))
# Index entries one ListOffers page may read beyond its matches (filtered out by source, zone or
# interval) before it answers a short page with a bookmark to go on from.
MAX_OFFER_ENTRIES_READ = 5000


def _instant(name: str, text: str) -> int:
    try:
        return parse_utc(text)
    except ValueError as exc:
        raise InvalidRequest(f"{name}: {exc}") from exc


def _open_offer_keys(offer: Offer) -> list[list[str]]:
    days = range(day_of(offer.interval_start), offer.interval_end, DAY_SECONDS)
    price = f"{offer.price:0{PRICE_DIGITS}d}"
    return [[day_text(day), price, offer.offer_id] for day in days]


def index_open_offer(state: State, offer: Offer) -> None:
    for attributes in _open_offer_keys(offer):
        state.put_raw(OPEN_OFFER, attributes, b"1")


def unindex_closed_offer(state: State, offer: Offer) -> None:
    """Remove the index entries of an offer that is no longer available (bought out or
    withdrawn)."""
    if not offer.available:
        for attributes in _open_offer_keys(offer):
            state.delete(OPEN_OFFER, *attributes)


def load_offer(state: State, offer_id: str) -> Offer:
    return Offer.from_json_dict(state.require_json(OFFER, offer_id, f"unknown offer {offer_id}"))


def post_offer(
    state: State,
    caller: Caller,
    meter_id: str,
    interval_start: str,
    interval_count: int,
    quantity_wh: int,
    price: int,
) -> Offer:
    seller = caller.require_role(SELLING_ROLES, "post offers")
    meter = load_meter(state, meter_id)
    if meter.owner != seller.participant_id:
        raise AccessDenied(f"meter {meter_id} does not belong to {seller.participant_id}")
    if not meter.active:
        raise InvalidRequest(f"meter {meter_id} is inactive")
    if meter.kind is MeterKind.CONSUMPTION:
        raise InvalidRequest(f"meter {meter_id} is a consumption meter and cannot sell")
    start = _instant("interval_start", interval_start)
    offer = Offer(
        offer_id=f"offer.{state.stub.tx_id}"[:128],
        seller=seller.participant_id,
        meter_id=meter_id,
        source=meter.source,
        zone=meter.zone,
        interval_start=start,
        interval_count=interval_count,
        quantity_wh=quantity_wh,
        price=price,
        remaining_wh=quantity_wh,
    )
    _refuse_closed_days(ClosedDays(state), offer, (seller.participant_id,))
    if state.get_raw(OFFER, offer.offer_id):
        raise Conflict(f"offer {offer.offer_id} already exists")
    state.put_json(OFFER, [offer.offer_id], offer.to_json_dict())
    index_open_offer(state, offer)
    state.stub.set_event("OfferPosted", json.dumps(offer.to_json_dict()).encode())
    return offer


def _refuse_closed_days(closed: ClosedDays, offer: Offer, parties: tuple[str, ...]) -> None:
    last = offer.interval_start + (offer.interval_count - 1) * INTERVAL_SECONDS
    party = closed.any_closed(parties, offer.interval_start, last)
    if party is not None:
        raise Conflict(f"the offer's intervals are in a day already closed for {party}")


def buy_offer(state: State, caller: Caller, offer_id: str, quantity_wh: int) -> list[Trade]:
    buyer = caller.require_role(BUYING_ROLES, "buy energy")
    offer = load_offer(state, offer_id)
    desk = CertificateDesk(state)
    _refuse_closed_days(desk.closed_days, offer, (buyer.participant_id, offer.seller))
    updated, trades = buy(
        offer, buyer.participant_id, quantity_wh, f"trade.{state.stub.tx_id}"[:120]
    )
    state.put_json(OFFER, [offer.offer_id], updated.to_json_dict())
    unindex_closed_offer(state, updated)
    for trade in trades:
        state.put_json(TRADE, [trade.trade_id], trade.to_json_dict())
        day = day_text(trade.interval_start)
        state.put_raw(TRADE_BY_PARTY, [trade.buyer, day, trade.trade_id], b"buyer")
        state.put_raw(TRADE_BY_PARTY, [trade.seller, day, trade.trade_id], b"seller")
    desk.back_new_trades(trades)
    event = {
        "offer_id": offer.offer_id,
        "buyer": buyer.participant_id,
        "seller": offer.seller,
        "quantity_wh": quantity_wh,
        "intervals": len(trades),
        "price": offer.price,
    }
    state.stub.set_event("TradeCreated", json.dumps(event, sort_keys=True).encode())
    return trades


def withdraw_offer(state: State, caller: Caller, offer_id: str) -> Offer:
    offer = load_offer(state, offer_id)
    updated = withdraw(offer, caller.participant_id)
    state.put_json(OFFER, [offer_id], updated.to_json_dict())
    unindex_closed_offer(state, updated)
    state.stub.set_event("OfferWithdrawn", json.dumps(updated.to_json_dict()).encode())
    return updated


def get_offer(state: State, offer_id: str) -> Offer:
    return load_offer(state, offer_id)


def offers_for_interval(
    state: State, interval_start: str, source: str, zone: str, request: PageRequest
) -> dict[str, Any]:
    """One page of the open offers with energy left in the interval, cheapest first then by id.
    Public market data: anyone, registered or not, may list offers. Reads only the open-offer
    index entries of the interval's UTC day (and at most ``MAX_OFFER_ENTRIES_READ`` of them
    beyond the page's matches: a page may then be short, with a bookmark to go on)."""
    instant = _instant("interval_start", interval_start)
    source_filter = parse_word(EnergySource, source, "energy source") if source else None
    zone_filter = validate_zone(zone) if zone else None
    day = day_text(instant)
    found: list[Offer] = []
    bookmark, read = request.bookmark, 0
    while True:
        size = request.size - len(found)
        rows, bookmark = state.scan_page(OPEN_OFFER, [day], size, bookmark)
        read += len(rows)
        offers = [Offer.from_json_dict(r) for r in state.follow_index(OFFER, rows, 2)]
        found.extend(list_offers(offers, instant, source_filter, zone_filter))
        if not bookmark or len(found) == request.size or read >= MAX_OFFER_ENTRIES_READ:
            break
    return page_answer([offer.to_json_dict() for offer in found], bookmark)


def trades_page(
    state: State, caller: Caller, participant: str, request: PageRequest
) -> dict[str, Any]:
    """One page of a participant's trades, by the UTC day of their interval, then trade id."""
    caller.require_reader_of(participant, f"the trades of {participant}")
    rows, bookmark = state.scan_page(TRADE_BY_PARTY, [participant], request.size, request.bookmark)
    return page_answer(state.follow_index(TRADE, rows, 2), bookmark)


def trades_in_days(state: State, participant: str, days: list[int]) -> list[Trade]:
    rows = state.scan_days(TRADE_BY_PARTY, [participant], days)
    return [Trade.from_json_dict(record) for record in state.follow_index(TRADE, rows, 2)]
