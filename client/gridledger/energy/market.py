"""The market: offers and the trades buying them creates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gridledger.energy.json_fields import as_object, instant, integer, text
from gridledger_domain.vocabulary import EnergySource, OfferStatus

INTERVAL = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Offer:
    """``quantity_wh`` for sale in each of ``interval_count`` intervals from ``interval_start``
    at ``price`` (scaled minor units per kWh); ``remaining_wh`` is left per interval."""

    offer_id: str
    seller: str
    meter_id: str
    source: EnergySource
    zone: str
    interval_start: datetime
    interval_count: int
    quantity_wh: int
    price: int
    remaining_wh: int
    status: OfferStatus

    @property
    def interval_end(self) -> datetime:
        return self.interval_start + self.interval_count * INTERVAL

    @classmethod
    def from_json(cls, value: Any) -> Offer:
        data = as_object(value, "offer")
        return cls(
            offer_id=text(data, "offer_id"),
            seller=text(data, "seller"),
            meter_id=text(data, "meter_id"),
            source=EnergySource(text(data, "source")),
            zone=text(data, "zone"),
            interval_start=instant(data, "interval_start"),
            interval_count=integer(data, "interval_count"),
            quantity_wh=integer(data, "quantity_wh"),
            price=integer(data, "price"),
            remaining_wh=integer(data, "remaining_wh"),
            status=OfferStatus(text(data, "status")),
        )


@dataclass(frozen=True, slots=True)
class Trade:
    """``quantity_wh`` sold by ``seller`` to ``buyer`` for one interval at ``price``."""

    trade_id: str
    offer_id: str
    buyer: str
    seller: str
    interval_start: datetime
    quantity_wh: int
    price: int
    source: EnergySource

    @classmethod
    def from_json(cls, value: Any) -> Trade:
        data = as_object(value, "trade")
        return cls(
            trade_id=text(data, "trade_id"),
            offer_id=text(data, "offer_id"),
            buyer=text(data, "buyer"),
            seller=text(data, "seller"),
            interval_start=instant(data, "interval_start"),
            quantity_wh=integer(data, "quantity_wh"),
            price=integer(data, "price"),
            source=EnergySource(text(data, "source")),
        )
