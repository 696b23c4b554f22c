"""The market's records: a producer's offer and the trades that buying it creates."""

from __future__ import annotations

from dataclasses import dataclass

from gridledger_domain.identifiers import validate_id
from gridledger_domain.records.codec import Instant, Record
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import INTERVAL_SECONDS, is_aligned
from gridledger_domain.units import MAX_PRICE
from gridledger_domain.vocabulary import EnergySource, OfferStatus

MAX_OFFER_INTERVALS = 96 * 7
MAX_QUANTITY_WH = 10**12


def validate_quantity(name: str, value: object) -> int:
    """A quantity of energy offered or bought per interval: 1 Wh to ``MAX_QUANTITY_WH``."""
    if type(value) is not int or not 1 <= value <= MAX_QUANTITY_WH:
        raise InvalidRequest(f"{name} must be an integer from 1 to {MAX_QUANTITY_WH} Wh")
    return value


def _price(what: str, value: object) -> None:
    if type(value) is not int or not 0 <= value <= MAX_PRICE:
        raise InvalidRequest(f"{what} price must be an integer from 0 to {MAX_PRICE}")


def _aligned(what: str, value: object) -> None:
    if type(value) is not int or not is_aligned(value):
        raise InvalidRequest(f"{what} interval_start must be aligned to 15 minutes (UTC)")


@dataclass(frozen=True, slots=True)
class Offer(Record):
    """``quantity_wh`` per interval for each of ``interval_count`` intervals from
    ``interval_start`` (Unix seconds, UTC) at ``price`` (scaled minor units per kWh);
    ``remaining_wh`` is what is still for sale in each of them."""

    offer_id: str
    seller: str
    meter_id: str
    source: EnergySource
    zone: str
    interval_start: Instant
    interval_count: int
    quantity_wh: int
    price: int
    remaining_wh: int
    status: OfferStatus = OfferStatus.OPEN

    def __post_init__(self) -> None:
        validate_id("offer", self.offer_id)
        _aligned("offer", self.interval_start)
        if type(self.interval_count) is not int or not (
            1 <= self.interval_count <= MAX_OFFER_INTERVALS
        ):
            raise InvalidRequest(f"offer must cover 1 to {MAX_OFFER_INTERVALS} intervals")
        validate_quantity("offer quantity_wh", self.quantity_wh)
        _price("offer", self.price)
        if type(self.remaining_wh) is not int or not 0 <= self.remaining_wh <= self.quantity_wh:
            raise InvalidRequest("offer remaining_wh out of range")

    @property
    def interval_end(self) -> int:
        """The end of the offer's last interval (Unix seconds)."""
        return self.interval_start + self.interval_count * INTERVAL_SECONDS

    def intervals(self) -> range:
        return range(self.interval_start, self.interval_end, INTERVAL_SECONDS)

    def covers(self, instant: int) -> bool:
        return instant in self.intervals()

    @property
    def available(self) -> bool:
        return self.status is OfferStatus.OPEN and self.remaining_wh > 0


@dataclass(frozen=True, slots=True)
class Trade(Record):
    """``quantity_wh`` delivered by ``seller`` to ``buyer`` in the interval starting at
    ``interval_start`` (Unix seconds, UTC), at ``price``."""

    trade_id: str
    offer_id: str
    buyer: str
    seller: str
    interval_start: Instant
    quantity_wh: int
    price: int
    source: EnergySource

    def __post_init__(self) -> None:
        validate_id("trade", self.trade_id)
        _aligned("trade", self.interval_start)
        validate_quantity("trade quantity_wh", self.quantity_wh)
        _price("trade", self.price)
        if self.buyer == self.seller:
            raise InvalidRequest("buyer and seller must differ")
