"""Fixtures for the energy contract on the session's devnet, through ``gridledger.energy``.

Every market identity of the devnet config (``MARKET_USERS``) gets an ``EnergyClient``; the
utility registers them once per session with a role. Tests share the ledger: each module uses its
own meter ids (a random suffix) and its own days, and only ``test_energy_market_day`` settles.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from gridledger.energy import (
    CallerInfo,
    Conflict,
    EnergyClient,
    MeterSigner,
    Role,
    Tariff,
    TouBand,
    price_from_minor_per_kwh,
)
from gridledger_domain import parse_utc
from harness.devnet import OPERATOR, PROSUMER

pytestmark = pytest.mark.integration

# user -> (organisation, role, zone); "utility" is recognised from its certificate attribute,
# "stranger" (ProsumerMSP's User1) is never registered.
PEOPLE: dict[str, tuple[str, Role | None, str]] = {
    "solar-farm": (PROSUMER, Role.PRODUCER, "north"),
    "wind-farm": (PROSUMER, Role.PRODUCER, "north"),
    "city-solar": (OPERATOR, Role.PRODUCER, "south"),
    "alice": (PROSUMER, Role.PROSUMER, "south"),
    "bob": (PROSUMER, Role.CONSUMER, "north"),
    "carol": (PROSUMER, Role.CONSUMER, "north"),
    "dave": (OPERATOR, Role.CONSUMER, "south"),
    "auditor": (OPERATOR, Role.AUDITOR, "north"),
}


@dataclass
class Market:
    """Everyone's client and participant id."""

    utility: EnergyClient
    stranger: EnergyClient
    clients: dict[str, EnergyClient]
    ids: dict[str, str]

    def __getitem__(self, user: str) -> EnergyClient:
        return self.clients[user]


def tariff_v1() -> Tariff:
    ct = price_from_minor_per_kwh
    return Tariff(
        1,
        parse_utc("2025-01-01T00:00:00Z"),
        (
            TouBand("night", 0, ct("20")),
            TouBand("day", 420, ct("30")),
            TouBand("peak", 1020, ct("38")),
        ),
        feed_in_price=ct("8"),
        grid_fee=ct("6"),
        fixed_fee_per_day=30,
        tax_rate_bp=1900,
    )


@pytest.fixture(scope="session")
def market(profile: Any) -> Iterator[Market]:
    clients: dict[str, EnergyClient] = {}
    try:
        utility = EnergyClient.connect(profile, OPERATOR, "utility")
        clients["utility"] = utility
        stranger = EnergyClient.connect(profile, PROSUMER, "User1")
        clients["stranger"] = stranger
        ids: dict[str, str] = {}
        for user, (org, role, zone) in PEOPLE.items():
            client = EnergyClient.connect(profile, org, user)
            clients[user] = client
            me: CallerInfo = client.whoami()
            ids[user] = me.participant_id
            if role is not None and not me.registered:
                with contextlib.suppress(Conflict):
                    utility.register_participant(me, role, zone=zone, display_name=user.title())
            client.refresh_whoami()
        if not utility.tariffs(limit=1).all():
            with contextlib.suppress(Conflict):
                utility.set_tariff(tariff_v1())
        people = {k: v for k, v in clients.items() if k not in ("utility", "stranger")}
        yield Market(utility, stranger, people, ids)
    finally:
        for client in clients.values():
            client.close()


@pytest.fixture
def suffix() -> str:
    return uuid.uuid4().hex[:8]


def register_meter(
    market: Market, owner: str, meter_id: str, kind: str, source: str = "grid"
) -> MeterSigner:
    """Register a meter for ``owner`` with a simulated key; return its signer."""
    signer = MeterSigner.simulated(meter_id, seed=f"integration {meter_id}")
    zone = PEOPLE[owner][2]
    market.utility.register_meter(
        meter_id, market.ids[owner], kind, source, zone, signer.public_key_pem
    )
    return signer
