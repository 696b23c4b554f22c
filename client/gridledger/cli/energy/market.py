"""``gridledger energy offer | offers | buy | withdraw | trades``."""

from __future__ import annotations

from pathlib import Path

import typer
from gridledger.cli.energy.common import (
    ChaincodeOption,
    Connection,
    OrgOption,
    ProfileOption,
    UserOption,
    console,
    energy_client,
    parse_moment,
    resolve_participant,
)
from gridledger.cli.render import offers_table, trades_table
from gridledger.energy import EnergySource, format_energy, price_from_minor_per_kwh


def offer(
    meter_id: str = typer.Argument(..., help="Your production or bidirectional meter."),
    start: str = typer.Argument(..., help="First interval, YYYY-MM-DDTHH:MM:SSZ (UTC)."),
    intervals: int = typer.Argument(..., help="Number of 15-minute intervals."),
    quantity_wh: int = typer.Argument(..., help="Wh for sale in each interval."),
    price: str = typer.Argument(..., help="Price in minor units per kWh, e.g. 9.5 (ct/kWh)."),
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Post an offer (producers and prosumers)."""
    with energy_client(Connection(profile, org, user, chaincode)) as client:
        posted = client.post_offer(
            meter_id, parse_moment(start), intervals, quantity_wh, price_from_minor_per_kwh(price)
        )
    console.print(f"offer {posted.offer_id}")
    console.print(offers_table([posted]))


def offers(
    at: str = typer.Argument(..., help="Interval, YYYY-MM-DDTHH:MM:SSZ (UTC)."),
    source: EnergySource | None = typer.Option(None, help="Only this energy source."),
    zone: str | None = typer.Option(None, help="Only this grid zone."),
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Open offers for an interval, cheapest first (anyone may look)."""
    with energy_client(Connection(profile, org, user, chaincode)) as client:
        found = client.list_offers(parse_moment(at), source=source, zone=zone)
    console.print(offers_table(found))
    if not found:
        console.print("no open offers for that interval")


def buy(
    offer_id: str,
    quantity_wh: int = typer.Argument(..., help="Wh to buy in each interval of the offer."),
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Buy part or all of an offer (consumers and prosumers)."""
    with energy_client(Connection(profile, org, user, chaincode)) as client:
        trades = client.buy(offer_id, quantity_wh)
    total = sum(t.quantity_wh for t in trades)
    console.print(f"bought {format_energy(total)} kWh in {len(trades)} trades")
    console.print(trades_table(trades))


def withdraw(
    offer_id: str,
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Withdraw one of your offers."""
    with energy_client(Connection(profile, org, user, chaincode)) as client:
        withdrawn = client.withdraw_offer(offer_id)
    console.print(f"offer {withdrawn.offer_id} is {withdrawn.status.value}")


def trades(
    participant: str | None = typer.Argument(None, help="Whose trades (default: yours)."),
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """A participant's trade history."""
    connection = Connection(profile, org, user, chaincode)
    pid = resolve_participant(connection, participant)
    with energy_client(connection) as client:
        found = client.trades(pid)
    console.print(trades_table(found))
