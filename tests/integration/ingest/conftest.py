"""A real Mosquitto (ours: TLS, password file, persistence) beside the session's devnet, and
bridges started as the `gridledger bridge mqtt` command through the process manager."""

from __future__ import annotations

import contextlib
import signal
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from click.testing import Result
from gridledger.bridge.simulator import SimulatedMeter, connect, simulated_meters
from gridledger.cli.main import app
from gridledger.energy import Conflict, EnergyClient, Role
from gridledger_network.mqtt_broker import MOSQUITTO, Broker, start_broker
from gridledger_network.processes import ManagedProcess, free_ports, spawn, wait_until
from harness.devnet import OPERATOR, PROSUMER
from typer.testing import CliRunner

pytestmark = pytest.mark.integration


def poll(condition: Callable[[], bool], what: str, deadline: float = 60.0) -> None:
    give_up = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"no {what} after {deadline:.0f}s")
        time.sleep(0.1)


@contextlib.contextmanager
def running_broker(home: Path, *, client_certs: bool = False) -> Iterator[Broker]:
    """Our Mosquitto in ``home`` while in the block (the test skips without Mosquitto)."""
    if not Path(MOSQUITTO).exists():
        pytest.skip("mosquitto is not installed (make install installs it as root)")
    started = start_broker(home, client_certs=client_certs)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    with running_broker(tmp_path_factory.mktemp("broker")) as started:
        yield started


def simulate(broker: Broker, home: Path, owner: str, prefix: str, day: str, *login: str) -> Result:
    """``gridledger meters simulate``: 3 meters of ``prefix`` publish 4 intervals from ``day``,
    logged in to ``broker`` with ``login``'s options."""
    argv = ["meters", "simulate", "--meters", "3", "--intervals", "4", "--speed", "0"]
    argv += ["--start", day, "--prefix", prefix, "--owner", owner, "--mqtt", broker.address]
    argv += ["--tls-ca", str(broker.ca_file), *login, "--home", str(home)]
    return CliRunner().invoke(app, argv)


@pytest.fixture(scope="session")
def utility(profile: Any) -> Iterator[EnergyClient]:
    with EnergyClient.connect(profile, OPERATOR, "utility") as client:
        yield client


@pytest.fixture(scope="session")
def owner(profile: Any, utility: EnergyClient) -> str:
    with EnergyClient.connect(profile, PROSUMER, "alice") as alice:
        me = alice.whoami()
        if not me.registered:
            with contextlib.suppress(Conflict):
                utility.register_participant(me, Role.PROSUMER, zone="south", display_name="Alice")
        return me.participant_id


@pytest.fixture
def fleet(utility: EnergyClient, owner: str) -> list[SimulatedMeter]:
    meters = simulated_meters(f"MQ{uuid.uuid4().hex[:6]}", 4)
    for meter in meters:
        source = "solar" if meter.kind == "bidirectional" else "grid"
        utility.register_meter(
            meter.meter_id, owner, meter.kind, source, "south", meter.signer.public_key_pem
        )
    return meters


@dataclass
class RunningBridge:
    process: ManagedProcess
    metrics_port: int
    state: Path

    def metrics(self) -> dict[str, float]:
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as answer:
            text = answer.read().decode()
        values: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.split()
                values[name.removeprefix("gridledger_bridge_")] = float(value)
        return values

    def subscribed(self) -> bool:
        try:
            return self.metrics()["subscribed"] == 1
        except OSError:
            return False

    def kill(self) -> None:
        self.process.process.send_signal(signal.SIGKILL)
        self.process.process.wait()


class Bridges:
    def __init__(self, broker: Broker, network_home: Path, tmp: Path) -> None:
        self.broker = broker
        self.network_home = network_home
        self.tmp = tmp
        self.running: list[RunningBridge] = []

    def login(self) -> list[str]:
        """How the bridge logs in: the broker's user and password file."""
        return [
            "--username",
            self.broker.username,
            "--password-file",
            str(self.broker.password_file),
        ]

    def argv(self, name: str, state: Path, port: int, *extra: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gridledger.cli.main",
            "bridge",
            "mqtt",
            "--broker",
            self.broker.address,
            "--tls-ca",
            str(self.broker.ca_file),
            *self.login(),
            "--client-id",
            f"bridge-{name}",
            "--home",
            str(self.network_home),
            "--state",
            str(state),
            "--metrics-port",
            str(port),
            "-v",
            *extra,
        ]

    def start(self, name: str, *extra: str) -> RunningBridge:
        state = self.tmp / name
        port = free_ports(1)[0]
        argv = self.argv(name, state, port, *extra)
        process = spawn(f"bridge-{name}", argv, state / "bridge.log")
        bridge = RunningBridge(process, port, state)
        self.running.append(bridge)
        wait_until(bridge.subscribed, owner=process, what="a subscription", deadline_seconds=60)
        return bridge

    def stop_all(self) -> None:
        for bridge in self.running:
            bridge.process.stop()


@pytest.fixture
def bridges(broker: Broker, test_network: Any, tmp_path: Path) -> Iterator[Bridges]:
    running = Bridges(broker, Path(test_network.home), tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


@pytest.fixture
def publisher(broker: Broker) -> Iterator[mqtt.Client]:
    client = connect(
        broker.host,
        broker.port,
        tls_ca=broker.ca_file,
        username=broker.username,
        password=broker.password,
    )
    try:
        yield client
    finally:
        client.disconnect()
        client.loop_stop()
