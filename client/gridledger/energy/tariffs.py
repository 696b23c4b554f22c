"""Tariff versions: time-of-use bands, feed-in price, grid fee, fixed fee, tax."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridledger.energy.instants import Instant, to_datetime, to_text
from gridledger.energy.json_fields import as_object, as_objects, instant, integer, text


@dataclass(frozen=True, slots=True)
class TouBand:
    """A time-of-use band from ``start_minute`` (of the UTC day) until the next band starts."""

    name: str
    start_minute: int
    price: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "start_minute": self.start_minute, "price": self.price}


@dataclass(frozen=True, slots=True)
class Tariff:
    """One tariff version. Prices in scaled minor units per kWh (see ``prices``), fixed fee in
    minor units per day, tax in basis points (1900 = 19 %)."""

    version: int
    effective_from: datetime
    bands: tuple[TouBand, ...]
    feed_in_price: int
    grid_fee: int
    fixed_fee_per_day: int
    tax_rate_bp: int
    currency: str = "EUR"

    @classmethod
    def new(
        cls,
        version: int,
        effective_from: Instant,
        bands: list[TouBand] | tuple[TouBand, ...],
        *,
        feed_in_price: int,
        grid_fee: int,
        fixed_fee_per_day: int,
        tax_rate_bp: int,
        currency: str = "EUR",
    ) -> Tariff:
        return cls(
            version,
            to_datetime(effective_from),
            tuple(bands),
            feed_in_price,
            grid_fee,
            fixed_fee_per_day,
            tax_rate_bp,
            currency,
        )

    def band_at(self, moment: datetime) -> TouBand:
        minute = moment.hour * 60 + moment.minute
        chosen = self.bands[0]
        for band in self.bands:
            if band.start_minute <= minute:
                chosen = band
        return chosen

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_from": to_text(self.effective_from),
            "bands": [band.to_json() for band in self.bands],
            "feed_in_price": self.feed_in_price,
            "grid_fee": self.grid_fee,
            "fixed_fee_per_day": self.fixed_fee_per_day,
            "tax_rate_bp": self.tax_rate_bp,
            "currency": self.currency,
        }

    @classmethod
    def from_json(cls, value: Any) -> Tariff:
        data = as_object(value, "tariff")
        return cls(
            version=integer(data, "version"),
            effective_from=instant(data, "effective_from"),
            bands=tuple(
                TouBand(text(b, "name"), integer(b, "start_minute"), integer(b, "price"))
                for b in as_objects(data.get("bands"), "bands")
            ),
            feed_in_price=integer(data, "feed_in_price"),
            grid_fee=integer(data, "grid_fee"),
            fixed_fee_per_day=integer(data, "fixed_fee_per_day"),
            tax_rate_bp=integer(data, "tax_rate_bp"),
            currency=text(data, "currency"),
        )
