"""The market: producers' offers, consumers' purchases (trades), withdrawal, listing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from gridledger_domain.records import Offer, Trade
from gridledger_domain.records.market import validate_quantity
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest
from gridledger_domain.vocabulary import EnergySource, OfferStatus


def buy(
    offer: Offer, buyer: str, quantity_wh: int, trade_id_prefix: str
) -> tuple[Offer, list[Trade]]:
    """Fill ``quantity_wh`` per interval of ``offer`` for ``buyer``: the updated offer and one
    trade per interval (ids ``<prefix>.<n>``), created together or not at all."""
    validate_quantity("quantity_wh", quantity_wh)
    if offer.status is not OfferStatus.OPEN:
        raise Conflict(f"offer {offer.offer_id} is {offer.status.value}")
    if buyer == offer.seller:
        raise InvalidRequest("a participant cannot buy its own offer")
    if quantity_wh > offer.remaining_wh:
        raise Conflict(
            f"offer {offer.offer_id} has {offer.remaining_wh} Wh left per interval, "
            f"{quantity_wh} Wh requested"
        )
    trades = [
        Trade(
            trade_id=f"{trade_id_prefix}.{index}",
            offer_id=offer.offer_id,
            buyer=buyer,
            seller=offer.seller,
            interval_start=instant,
            quantity_wh=quantity_wh,
            price=offer.price,
            source=offer.source,
        )
        for index, instant in enumerate(offer.intervals())
    ]
    return replace(offer, remaining_wh=offer.remaining_wh - quantity_wh), trades


def withdraw(offer: Offer, caller: str) -> Offer:
    if caller != offer.seller:
        raise AccessDenied("only the seller can withdraw an offer")
    if offer.status is not OfferStatus.OPEN:
        raise Conflict(f"offer {offer.offer_id} is already {offer.status.value}")
    return replace(offer, status=OfferStatus.WITHDRAWN)


def list_offers(
    offers: Iterable[Offer],
    interval_start: int,
    source: EnergySource | None = None,
    zone: str | None = None,
) -> list[Offer]:
    """Open offers with energy left in ``interval_start``, cheapest first (then by id)."""
    chosen = [
        offer
        for offer in offers
        if offer.available
        and offer.covers(interval_start)
        and (source is None or offer.source is source)
        and (zone is None or offer.zone == zone)
    ]
    return sorted(chosen, key=lambda offer: (offer.price, offer.offer_id))
