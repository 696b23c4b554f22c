"""``gridledger bridge mqtt``: signed meter readings from an MQTT broker to the ledger.

See docs/mqtt.md (message format, guarantees, metrics).
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from gridledger.bridge import BridgeOptions, MqttBridge
from gridledger.bridge.lanes import DEFAULT_LANES
from gridledger.cli.failures import OneLineErrors
from gridledger.errors import GridLedgerError
from gridledger.profile import ConnectionProfile

app = typer.Typer(
    help="Bridges from live meter data to the ledger.", no_args_is_help=True, cls=OneLineErrors
)


class BridgeUsageError(GridLedgerError):
    """A bridge option is wrong (broker address, files)."""


def host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise BridgeUsageError(f"--broker {text!r}: expected HOST:PORT")
    return host, int(port)


def read_password(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise BridgeUsageError(f"cannot read the password file {path}: {error.strerror}") from None


@app.command()
def mqtt(
    broker: Annotated[str, typer.Option("--broker", help="The broker, HOST:PORT.")],
    topic: Annotated[str, typer.Option("--topic", help="Topic filter.")] = "meters/+/readings",
    tls_ca: Annotated[Path | None, typer.Option("--tls-ca", help="CA of the broker.")] = None,
    username: Annotated[str | None, typer.Option("--username")] = None,
    password_file: Annotated[Path | None, typer.Option("--password-file")] = None,
    cert: Annotated[Path | None, typer.Option("--cert", help="Client certificate.")] = None,
    key: Annotated[Path | None, typer.Option("--key", help="Client certificate's key.")] = None,
    dead_letter_topic: Annotated[
        str, typer.Option("--dead-letter-topic")
    ] = "gridledger/dead-letters",
    client_id: Annotated[
        str, typer.Option("--client-id", help="MQTT client id: names the persistent session.")
    ] = "gridledger-bridge",
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=10_000, help="Readings per transaction.")
    ] = 1000,
    max_wait: Annotated[
        float, typer.Option("--max-wait", min=0.0, help="Longest wait for a batch to fill (s).")
    ] = 1.0,
    lanes: Annotated[
        int,
        typer.Option(
            "--lanes",
            min=1,
            max=64,
            help="Meters partitioned into this many lanes, one transaction in flight each.",
        ),
    ] = DEFAULT_LANES,
    metrics_port: Annotated[
        int | None, typer.Option("--metrics-port", help="Serve /metrics on 127.0.0.1:PORT.")
    ] = None,
    home: Annotated[
        Path,
        typer.Option(
            "--home",
            envvar="GRIDLEDGER_HOME",
            help="Network folder holding network.json; the bridge keeps its outbox, journal "
            "and dead letters in its bridge/ folder.",
        ),
    ] = Path(".devnet"),
    state: Annotated[
        Path | None,
        typer.Option("--state", help="The bridge's own folder (default: HOME/bridge)."),
    ] = None,
    org: Annotated[str, typer.Option("--org")] = "GridOperatorMSP",
    user: Annotated[str, typer.Option("--user", help="The utility's user.")] = "utility",
    chaincode: Annotated[str, typer.Option("--chaincode")] = "gridledger",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every batch.")] = False,
) -> None:
    """Subscribe (QoS 1, persistent session) and submit every signed reading exactly once."""
    if verbose:
        logging.getLogger("gridledger.bridge").setLevel(logging.INFO)
        logging.basicConfig(level=logging.INFO)
    host, port = host_port(broker)
    profile_path = home / "network.json"
    if not profile_path.exists():
        raise BridgeUsageError(f"no connection profile at {profile_path}: pass --home")
    options = BridgeOptions(
        host,
        port,
        topic=topic,
        dead_letter_topic=dead_letter_topic,
        client_id=client_id,
        tls_ca=tls_ca,
        cert=cert,
        key=key,
        username=username,
        password=read_password(password_file),
        batch_size=batch_size,
        max_wait=max_wait,
        metrics_port=metrics_port,
        lanes=lanes,
    )
    bridge = MqttBridge(
        options,
        state_dir=state or home / "bridge",
        profile=ConnectionProfile.load(profile_path),
        org=org,
        user=user,
        chaincode=chaincode,
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        bridge.request_stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        bridge.start()  # BrokerRefused: one line naming the broker and the failure
    except BaseException:
        bridge.stop()
        raise
    if bridge.metrics_port is not None:
        typer.echo(f"metrics on http://127.0.0.1:{bridge.metrics_port}/metrics", err=True)
    bridge.wait()
    bridge.stop()
