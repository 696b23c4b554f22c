"""Offers, purchases and trade history on the ledger."""

from __future__ import annotations

import json

from gridledger_domain import parse_utc
from gridledger_domain.identifiers import validate_zone
from gridledger_domain.records import Offer, Trade
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest
from gridledger_domain.vocabulary import (
    BUYING_ROLES,
    SELLING_ROLES,
    EnergySource,
    MeterKind,
    parse_word,
)

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.certificates import CertificateDesk, billed_through
from gridledger_chaincode.energy.ledger.meters import load_meter
from gridledger_chaincode.energy.ledger.state import OFFER, TRADE, TRADE_BY_PARTY, State, day_text
from gridledger_chaincode.energy.market import buy, list_offers, withdraw


def _instant(name: str, text: str) -> int:
    try:
        return parse_utc(text)
    except ValueError as exc:
        raise InvalidRequest(f"{name}: {exc}") from exc


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
    if start < billed_through(state, seller.participant_id):
        raise Conflict("the offer's intervals are in a period already settled for the seller")
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
    if state.get_raw(OFFER, offer.offer_id):
        raise Conflict(f"offer {offer.offer_id} already exists")
    state.put_json(OFFER, [offer.offer_id], offer.to_json_dict())
    state.stub.set_event("OfferPosted", json.dumps(offer.to_json_dict()).encode())
    return offer


def buy_offer(state: State, caller: Caller, offer_id: str, quantity_wh: int) -> list[Trade]:
    buyer = caller.require_role(BUYING_ROLES, "buy energy")
    offer = load_offer(state, offer_id)
    for party in (buyer.participant_id, offer.seller):
        if offer.interval_start < billed_through(state, party):
            raise Conflict(f"the offer's intervals are in a period already settled for {party}")
    updated, trades = buy(
        offer, buyer.participant_id, quantity_wh, f"trade.{state.stub.tx_id}"[:120]
    )
    state.put_json(OFFER, [offer.offer_id], updated.to_json_dict())
    for trade in trades:
        state.put_json(TRADE, [trade.trade_id], trade.to_json_dict())
        day = day_text(trade.interval_start)
        state.put_raw(TRADE_BY_PARTY, [trade.buyer, day, trade.trade_id], b"buyer")
        state.put_raw(TRADE_BY_PARTY, [trade.seller, day, trade.trade_id], b"seller")
    CertificateDesk(state).back_new_trades(trades)
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
    return updated


def get_offer(state: State, offer_id: str) -> Offer:
    return load_offer(state, offer_id)


def offers_for_interval(state: State, interval_start: str, source: str, zone: str) -> list[Offer]:
    """Public market data: anyone, registered or not, may list offers."""
    instant = _instant("interval_start", interval_start)
    source_filter = parse_word(EnergySource, source, "energy source") if source else None
    zone_filter = validate_zone(zone) if zone else None
    offers = [Offer.from_json_dict(record) for record in state.scan_json(OFFER)]
    return list_offers(offers, instant, source_filter, zone_filter)


def trades_of(state: State, caller: Caller, participant: str) -> list[Trade]:
    caller.require_reader_of(participant, f"the trades of {participant}")
    records = state.follow_index(TRADE, state.scan(TRADE_BY_PARTY, participant), 2)
    trades = [Trade.from_json_dict(record) for record in records]
    return sorted(trades, key=lambda t: (t.interval_start, t.trade_id))


def trades_in_days(state: State, participant: str, days: list[int]) -> list[Trade]:
    rows = state.scan_days(TRADE_BY_PARTY, [participant], days)
    return [Trade.from_json_dict(record) for record in state.follow_index(TRADE, rows, 2)]
