"""A tariff version: set by the utility, effective from a UTC day, never overwritten."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gridledger_domain.records.codec import QUIET, Instant, Record
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS, minute_of_day
from gridledger_domain.units import BASIS_POINTS, MAX_PRICE
from gridledger_domain.vocabulary import BillingCycle

BAND_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,31}$")
MINUTES_PER_DAY = 1440


def _amount(name: str, value: object, maximum: int = MAX_PRICE) -> int:
    if type(value) is not int or not 0 <= value <= maximum:
        raise InvalidRequest(f"{name} must be an integer from 0 to {maximum}: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class TouBand(Record):
    """A time-of-use band: from ``start_minute`` (UTC minute of day) until the next band."""

    name: str
    start_minute: int
    price: int

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or BAND_NAME.match(self.name) is None:
            raise InvalidRequest(f"invalid band name {self.name!r}")
        start = _amount("band start_minute", self.start_minute, MINUTES_PER_DAY - 1)
        if start % (INTERVAL_SECONDS // 60):
            raise InvalidRequest(f"band {self.name} must start on a 15-minute boundary")
        _amount(f"band {self.name} price", self.price)


@dataclass(frozen=True, slots=True)
class Tariff(Record):
    """One tariff version. Prices are scaled by ``PRICE_SCALE`` per kWh; see money.py."""

    version: int
    effective_from: Instant
    bands: tuple[TouBand, ...]
    feed_in_price: int
    grid_fee: int
    fixed_fee_per_day: int
    tax_rate_bp: int
    currency: str = "EUR"
    billing_cycle: BillingCycle = field(default=BillingCycle.MONTHLY, metadata=QUIET)

    def __post_init__(self) -> None:
        if type(self.version) is not int or self.version < 1:
            raise InvalidRequest(f"tariff version must be a positive integer: {self.version!r}")
        if type(self.effective_from) is not int or self.effective_from % DAY_SECONDS:
            raise InvalidRequest("tariff effective_from must be a UTC midnight")
        if not self.bands:
            raise InvalidRequest("a tariff needs at least one time-of-use band")
        starts = [band.start_minute for band in self.bands]
        if starts[0] != 0 or starts != sorted(set(starts)):
            raise InvalidRequest(
                "time-of-use bands must start at minute 0 and be in strictly increasing order"
            )
        _amount("feed_in_price", self.feed_in_price)
        _amount("grid_fee", self.grid_fee)
        _amount("fixed_fee_per_day", self.fixed_fee_per_day)
        _amount("tax_rate_bp", self.tax_rate_bp, BASIS_POINTS)
        if not isinstance(self.currency, str) or re.fullmatch(r"[A-Z]{3}", self.currency) is None:
            raise InvalidRequest(f"currency must be an ISO 4217 code: {self.currency!r}")

    def band_at(self, instant: int) -> TouBand:
        """The band in force at ``instant``."""
        minute = minute_of_day(instant)
        chosen = self.bands[0]
        for band in self.bands:
            if band.start_minute <= minute:
                chosen = band
        return chosen
