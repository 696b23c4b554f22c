"""``gridledger energy offer | offers | buy | withdraw | trades``."""

from __future__ import annotations

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import JsonOption, console, energy_client, parse_moment
from gridledger.cli.energy.listing import (
    AllOption,
    LimitOption,
    Shown,
    participant_listing_command,
    show_listing,
)
from gridledger.cli.energy.names import display_names
from gridledger.cli.render import offers_table, print_table, trades_table
from gridledger.energy import (
    EnergyClient,
    EnergySource,
    Offer,
    format_energy,
    price_from_minor_per_kwh,
)


@connection_options
def offer(
    connection: Connection,
    meter_id: str = typer.Argument(..., help="Your production or bidirectional meter."),
    start: str = typer.Argument(..., help="First interval, YYYY-MM-DDTHH:MM:SSZ (UTC)."),
    intervals: int = typer.Argument(..., help="Number of 15-minute intervals."),
    quantity_wh: int = typer.Argument(..., help="Wh for sale in each interval."),
    price: str = typer.Argument(..., help="Price in minor units per kWh, e.g. 9.5 (ct/kWh)."),
) -> None:
    """Post an offer (producers and prosumers)."""
    with energy_client(connection) as client:
        posted = client.post_offer(
            meter_id, parse_moment(start), intervals, quantity_wh, price_from_minor_per_kwh(price)
        )
        names = display_names(client)
    console.print(f"offer {posted.offer_id}")
    print_table(console, offers_table([posted], names))


@connection_options
def offers(
    connection: Connection,
    at: str = typer.Argument(..., help="Interval, YYYY-MM-DDTHH:MM:SSZ (UTC)."),
    source: EnergySource | None = typer.Option(None, help="Only this energy source."),
    zone: str | None = typer.Option(None, help="Only this grid zone."),
    as_json: bool = JsonOption,
    limit: int = LimitOption,
    everything: bool = AllOption,
) -> None:
    """Open offers for an interval, cheapest first (anyone may look)."""
    with energy_client(connection) as client:

        def render(found: list[Offer]) -> None:
            print_table(console, offers_table(found, display_names(client)))
            if not found:
                console.print("no open offers for that interval")

        show_listing(
            lambda n: client.list_offers(parse_moment(at), source=source, zone=zone, limit=n),
            render,
            Shown(as_json, limit, everything),
        )


@connection_options
def buy(
    connection: Connection,
    offer_id: str,
    quantity_wh: int = typer.Argument(..., help="Wh to buy in each interval of the offer."),
) -> None:
    """Buy part or all of an offer (consumers and prosumers)."""
    with energy_client(connection) as client:
        trades = client.buy(offer_id, quantity_wh)
        names = display_names(client)
    total = sum(t.quantity_wh for t in trades)
    console.print(f"bought {format_energy(total)} kWh in {len(trades)} trades")
    print_table(console, trades_table(trades, names))


@connection_options
def withdraw(connection: Connection, offer_id: str) -> None:
    """Withdraw one of your offers."""
    with energy_client(connection) as client:
        withdrawn = client.withdraw_offer(offer_id)
    console.print(f"offer {withdrawn.offer_id} is {withdrawn.status.value}")


trades = participant_listing_command(
    EnergyClient.trades, trades_table, "trades", "by the UTC day of the interval, then trade id"
)
