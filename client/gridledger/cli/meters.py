"""``gridledger meters simulate``: a head-end simulator publishing signed readings over MQTT."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer
from gridledger.bridge.simulator import connect, simulate, simulated_meters
from gridledger.cli.bridge import host_port, read_password
from gridledger.cli.energy.common import parse_moment
from gridledger.cli.failures import OneLineErrors
from gridledger.energy import Conflict, EnergyClient
from gridledger.profile import ConnectionProfile

app = typer.Typer(help="Simulated meters and head-ends.", no_args_is_help=True, cls=OneLineErrors)


@app.command("simulate")
def simulate_command(
    mqtt_broker: Annotated[str, typer.Option("--mqtt", help="The broker, HOST:PORT.")],
    owner: Annotated[
        str, typer.Option("--owner", help="Participant id owning the meters (registered).")
    ],
    meters: Annotated[int, typer.Option("--meters", min=1, help="How many meters.")] = 10,
    speed: Annotated[
        float, typer.Option("--speed", min=0.0, help="Time compression (0: as fast as possible).")
    ] = 900.0,
    start: Annotated[str, typer.Option("--start", help="First interval (UTC).")] = "2025-06-21",
    intervals: Annotated[int, typer.Option("--intervals", min=1)] = 96,
    prefix: Annotated[str, typer.Option("--prefix", help="Meter ids: PREFIX-0000...")] = "SIM",
    zone: Annotated[str, typer.Option("--zone")] = "north",
    tls_ca: Annotated[Path | None, typer.Option("--tls-ca")] = None,
    username: Annotated[str | None, typer.Option("--username")] = None,
    password_file: Annotated[Path | None, typer.Option("--password-file")] = None,
    cert: Annotated[Path | None, typer.Option("--cert", help="Client certificate.")] = None,
    key: Annotated[Path | None, typer.Option("--key", help="Client certificate's key.")] = None,
    home: Annotated[Path, typer.Option("--home", envvar="GRIDLEDGER_HOME")] = Path(".devnet"),
    org: Annotated[str, typer.Option("--org")] = "GridOperatorMSP",
    user: Annotated[str, typer.Option("--user", help="The utility's user.")] = "utility",
) -> None:
    """Register N meters (through the utility) and publish their readings, time-compressed."""
    host, port = host_port(mqtt_broker)
    password = read_password(password_file)
    fleet = simulated_meters(prefix, meters)
    # connected (BrokerRefused: one line naming the broker) before any meter is registered
    client = connect(
        host, port, tls_ca=tls_ca, username=username, password=password, cert=cert, key=key
    )
    try:
        with EnergyClient.connect(
            ConnectionProfile.load(home / "network.json"), org, user
        ) as utility:
            for meter in fleet:
                source = "solar" if meter.kind == "bidirectional" else "grid"
                with contextlib.suppress(Conflict):  # registered by an earlier run
                    utility.register_meter(
                        meter.meter_id, owner, meter.kind, source, zone, meter.signer.public_key_pem
                    )
        total = simulate(
            client,
            fleet,
            int(parse_moment(start).timestamp()),
            intervals,
            speed,
            on_interval=lambda n, count: typer.echo(f"interval {n + 1}/{intervals}: {count}"),
        )
    finally:
        client.disconnect()
        client.loop_stop()
    typer.echo(f"published {total} readings of {meters} meters")
