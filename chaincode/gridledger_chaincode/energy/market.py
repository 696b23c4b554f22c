"""The market: producers' offers, consumers' purchases (trades), withdrawal, listing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from gridledger_domain import INTERVAL_SECONDS, format_utc, is_aligned, parse_utc
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest
from gridledger_domain.units import MAX_PRICE
from gridledger_domain.vocabulary import EnergySource, OfferStatus, parse_word

MAX_OFFER_INTERVALS = 96 * 7
MAX_QUANTITY_WH = 10**12
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def validate_id(kind: str, value: object) -> str:
    if not isinstance(value, str) or ID_PATTERN.match(value) is None:
        raise InvalidRequest(f"invalid {kind} id {value!r}")
    return value


def _quantity(name: str, value: object) -> int:
    if type(value) is not int or not 1 <= value <= MAX_QUANTITY_WH:
        raise InvalidRequest(f"{name} must be an integer from 1 to {MAX_QUANTITY_WH} Wh")
    return value


@dataclass(frozen=True, slots=True)
class Offer:
    """``quantity_wh`` per interval for each of ``interval_count`` intervals from
    ``interval_start``; ``remaining_wh`` is what is still for sale in each of them."""

    offer_id: str
    seller: str
    meter_id: str
    source: EnergySource
    zone: str
    interval_start: int
    interval_count: int
    quantity_wh: int
    price: int
    remaining_wh: int
    status: OfferStatus = OfferStatus.OPEN

    def __post_init__(self) -> None:
        validate_id("offer", self.offer_id)
        if type(self.interval_start) is not int or not is_aligned(self.interval_start):
            raise InvalidRequest("offer interval_start must be aligned to 15 minutes (UTC)")
        if type(self.interval_count) is not int or not (
            1 <= self.interval_count <= MAX_OFFER_INTERVALS
        ):
            raise InvalidRequest(f"offer must cover 1 to {MAX_OFFER_INTERVALS} intervals")
        _quantity("offer quantity_wh", self.quantity_wh)
        if type(self.price) is not int or not 0 <= self.price <= MAX_PRICE:
            raise InvalidRequest(f"offer price must be an integer from 0 to {MAX_PRICE}")
        if type(self.remaining_wh) is not int or not 0 <= self.remaining_wh <= self.quantity_wh:
            raise InvalidRequest("offer remaining_wh out of range")

    def intervals(self) -> range:
        end = self.interval_start + self.interval_count * INTERVAL_SECONDS
        return range(self.interval_start, end, INTERVAL_SECONDS)

    def covers(self, instant: int) -> bool:
        return instant in self.intervals()

    @property
    def available(self) -> bool:
        return self.status is OfferStatus.OPEN and self.remaining_wh > 0

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "offer_id": self.offer_id,
            "seller": self.seller,
            "meter_id": self.meter_id,
            "source": self.source.value,
            "zone": self.zone,
            "interval_start": format_utc(self.interval_start),
            "interval_count": self.interval_count,
            "quantity_wh": self.quantity_wh,
            "price": self.price,
            "remaining_wh": self.remaining_wh,
            "status": self.status.value,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Offer:
        return cls(
            offer_id=data["offer_id"],
            seller=data["seller"],
            meter_id=data["meter_id"],
            source=parse_word(EnergySource, data["source"], "energy source"),
            zone=data["zone"],
            interval_start=parse_utc(data["interval_start"]),
            interval_count=data["interval_count"],
            quantity_wh=data["quantity_wh"],
            price=data["price"],
            remaining_wh=data["remaining_wh"],
            status=OfferStatus(data["status"]),
        )


@dataclass(frozen=True, slots=True)
class Trade:
    """``quantity_wh`` delivered by ``seller`` to ``buyer`` in one interval at ``price``."""

    trade_id: str
    offer_id: str
    buyer: str
    seller: str
    interval_start: int
    quantity_wh: int
    price: int
    source: EnergySource

    def __post_init__(self) -> None:
        validate_id("trade", self.trade_id)
        if type(self.interval_start) is not int or not is_aligned(self.interval_start):
            raise InvalidRequest("trade interval_start must be aligned to 15 minutes (UTC)")
        _quantity("trade quantity_wh", self.quantity_wh)
        if type(self.price) is not int or not 0 <= self.price <= MAX_PRICE:
            raise InvalidRequest("trade price out of range")
        if self.buyer == self.seller:
            raise InvalidRequest("buyer and seller must differ")

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "trade_id": self.trade_id,
            "offer_id": self.offer_id,
            "buyer": self.buyer,
            "seller": self.seller,
            "interval_start": format_utc(self.interval_start),
            "quantity_wh": self.quantity_wh,
            "price": self.price,
            "source": self.source.value,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Trade:
        return cls(
            trade_id=data["trade_id"],
            offer_id=data["offer_id"],
            buyer=data["buyer"],
            seller=data["seller"],
            interval_start=parse_utc(data["interval_start"]),
            quantity_wh=data["quantity_wh"],
            price=data["price"],
            source=parse_word(EnergySource, data["source"], "energy source"),
        )


def buy(
    offer: Offer, buyer: str, quantity_wh: int, trade_id_prefix: str
) -> tuple[Offer, list[Trade]]:
    """Fill ``quantity_wh`` per interval of ``offer`` for ``buyer``: the updated offer and one
    trade per interval (ids ``<prefix>.<n>``), created together or not at all."""
    _quantity("quantity_wh", quantity_wh)
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
