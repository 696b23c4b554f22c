"""Who takes part in the demo market day, with their meters and what those meters measure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from gridledger.energy import EnergySource, MeterKind, MeterSigner, Role

from demo import profiles
from demo.profiles import MeterDay

OPERATOR = "GridOperatorMSP"
PROSUMER = "ProsumerMSP"


@dataclass(frozen=True, slots=True)
class MeterPlan:
    meter_id: str
    kind: MeterKind
    source: EnergySource
    day: MeterDay

    @property
    def signer(self) -> MeterSigner:
        """The simulated meter's own key (deterministic: the same every run)."""
        return MeterSigner.simulated(self.meter_id, seed=f"gridledger demo meter {self.meter_id}")

    @property
    def start_registers(self) -> tuple[int, int]:
        """Registers at midnight: meters have been running for a while."""
        digest = hashlib.sha256(self.meter_id.encode()).digest()
        return int.from_bytes(digest[:3], "big") * 10, int.from_bytes(digest[3:6], "big") * 10


@dataclass(frozen=True, slots=True)
class Actor:
    key: str
    user: str
    msp_id: str
    role: Role
    zone: str
    display_name: str
    meters: tuple[MeterPlan, ...] = ()


def _producer_day(production: list[int], standby_wh: int) -> MeterDay:
    """A plant's meter: exports what it produces, imports a little standby power when idle."""
    return MeterDay(
        tuple(standby_wh if p == 0 else 0 for p in production),
        tuple(production),
    )


def _consumer_day(consumption: list[int]) -> MeterDay:
    return MeterDay(tuple(consumption), tuple(0 for _ in consumption))


def market_cast() -> tuple[Actor, ...]:
    solar_farm = profiles.solar(30_000, "sunfield")
    city_roof = profiles.solar(6_000, "city hall", sunrise=5.5, sunset=20.5)
    wind_farm = profiles.wind(12_000, "westerly")
    alice_home = profiles.household(14_000, "alice")
    alice_roof = profiles.solar(1_500, "alice roof")
    return (
        Actor(
            "solar-farm",
            "solar-farm",
            PROSUMER,
            Role.PRODUCER,
            "north",
            "Sunfield Solar Farm",
            (
                MeterPlan(
                    "SUNFIELD-PV-01",
                    MeterKind.PRODUCTION,
                    EnergySource.SOLAR,
                    _producer_day(solar_farm, 40),
                ),
            ),
        ),
        Actor(
            "wind-farm",
            "wind-farm",
            PROSUMER,
            Role.PRODUCER,
            "north",
            "Westerly Wind Park",
            (
                MeterPlan(
                    "WESTERLY-WT-01",
                    MeterKind.PRODUCTION,
                    EnergySource.WIND,
                    _producer_day(wind_farm, 0),
                ),
            ),
        ),
        Actor(
            "city-solar",
            "city-solar",
            OPERATOR,
            Role.PRODUCER,
            "south",
            "City Hall Solar Roof",
            (
                MeterPlan(
                    "CITYHALL-PV-01",
                    MeterKind.PRODUCTION,
                    EnergySource.SOLAR,
                    _producer_day(city_roof, 15),
                ),
            ),
        ),
        Actor(
            "alice",
            "alice",
            PROSUMER,
            Role.PROSUMER,
            "south",
            "Alice (rooftop solar)",
            (
                MeterPlan(
                    "ALICE-BI-01",
                    MeterKind.BIDIRECTIONAL,
                    EnergySource.SOLAR,
                    MeterDay.net_of(alice_home, alice_roof),
                ),
            ),
        ),
        Actor(
            "bob",
            "bob",
            PROSUMER,
            Role.CONSUMER,
            "north",
            "Bob's household",
            (
                MeterPlan(
                    "BOB-HOME-01",
                    MeterKind.CONSUMPTION,
                    EnergySource.GRID,
                    _consumer_day(profiles.household(11_000, "bob")),
                ),
            ),
        ),
        Actor(
            "carol",
            "carol",
            PROSUMER,
            Role.CONSUMER,
            "north",
            "Carol's Bakery",
            (
                MeterPlan(
                    "CAROL-BAKERY-01",
                    MeterKind.CONSUMPTION,
                    EnergySource.GRID,
                    _consumer_day(profiles.bakery(90_000, "carol")),
                ),
            ),
        ),
        Actor(
            "dave",
            "dave",
            OPERATOR,
            Role.CONSUMER,
            "south",
            "Dave's Workshop",
            (
                MeterPlan(
                    "DAVE-WORKSHOP-01",
                    MeterKind.CONSUMPTION,
                    EnergySource.GRID,
                    _consumer_day(profiles.workshop(45_000, "dave")),
                ),
            ),
        ),
        Actor("auditor", "auditor", OPERATOR, Role.AUDITOR, "north", "Energy Regulator"),
    )


@dataclass(frozen=True, slots=True)
class OfferPlan:
    """A producer's offer: from ``start`` (HH:MM UTC) for ``count`` intervals."""

    seller: str
    meter_id: str
    start: str
    count: int
    quantity_wh: int
    price_ct_per_kwh: str


@dataclass(frozen=True, slots=True)
class Shopping:
    """A buyer looks at the offers for ``at`` (HH:MM UTC), optionally of one source, and buys
    about ``share`` of its expected consumption from the cheapest."""

    buyer: str
    at: str
    source: EnergySource | None
    share: float = 0.8


OFFERS = (
    OfferPlan("wind-farm", "WESTERLY-WT-01", "00:00", 24, 6_000, "7.0"),
    OfferPlan("solar-farm", "SUNFIELD-PV-01", "09:00", 24, 12_000, "9.5"),
    OfferPlan("city-solar", "CITYHALL-PV-01", "10:00", 16, 2_500, "10.5"),
    OfferPlan("alice", "ALICE-BI-01", "11:00", 12, 250, "11.0"),
    OfferPlan("wind-farm", "WESTERLY-WT-01", "17:00", 16, 8_000, "8.5"),
)

SHOPPING = (
    Shopping("carol", "03:00", EnergySource.WIND),
    Shopping("bob", "01:00", EnergySource.WIND, 0.6),
    Shopping("carol", "10:00", EnergySource.SOLAR),
    Shopping("dave", "10:00", EnergySource.SOLAR),
    Shopping("dave", "11:00", None, 0.2),
    Shopping("bob", "12:00", None, 0.5),
    Shopping("bob", "18:00", EnergySource.WIND),
    Shopping("alice", "18:00", EnergySource.WIND, 0.6),
    Shopping("dave", "17:00", EnergySource.WIND, 0.5),
)
