"""The bridge and the simulator logging in to a real Mosquitto with client certificates: the
broker requires a certificate of its clients' CA and takes its CN as the user name (the ACL's
identity); a bridge without one, or with one of another CA, is refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gridledger.bridge.simulator import INTERVAL_SECONDS, SimulatedMeter, connect, publish_reading
from gridledger.energy import EnergyClient
from gridledger_domain import SignedReading, parse_utc
from gridledger_network.devnet.crypto.certificates import issue_ca, issue_tls, write_file
from gridledger_network.mqtt_broker import (
    BRIDGE_CLIENT,
    HEAD_END_CLIENT,
    MOSQUITTO,
    Broker,
    ClientCertificate,
    issue_client,
)
from gridledger_network.processes import free_ports

from .conftest import Bridges, poll, running_broker, simulate
from .test_mqtt_bridge import committed

# days no other module closes or bills
START, DAY = parse_utc("2034-03-09T00:00:00Z"), "2034-03-09"
BROKER_MODULE = [sys.executable, "-m", "gridledger_network.mqtt_broker"]
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cert_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    with running_broker(tmp_path_factory.mktemp("cert-broker"), client_certs=True) as started:
        yield started


class CertBridges(Bridges):
    """Bridges logging in with ``self.login_as``'s certificate (None: none)."""

    login_as: ClientCertificate | None = None

    def login(self) -> list[str]:
        if self.login_as is None:
            return []
        return ["--cert", str(self.login_as.cert), "--key", str(self.login_as.key)]

    def refused(self, name: str) -> list[str]:
        """Run a bridge expected to stop at once: its stderr's lines (status 1, no traceback)."""
        argv = [a for a in self.argv(name, self.tmp / name, free_ports(1)[0]) if a != "-v"]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 1, (done.stdout, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr
        return done.stderr.strip().splitlines()


@pytest.fixture
def cert_bridges(cert_broker: Broker, test_network: Any, tmp_path: Path) -> Iterator[CertBridges]:
    running = CertBridges(cert_broker, Path(test_network.home), tmp_path)
    running.login_as = cert_broker.client(BRIDGE_CLIENT)
    try:
        yield running
    finally:
        running.stop_all()


def publish_as(broker: Broker, client: ClientCertificate, readings: list[SignedReading]) -> None:
    """Publish ``readings`` logged in with ``client``'s certificate; each acknowledged."""
    mqtt_client = connect(
        broker.host, broker.port, tls_ca=broker.ca_file, cert=client.cert, key=client.key
    )
    try:
        for signed in readings:
            publish_reading(mqtt_client, signed).wait_for_publish(10)
    finally:
        mqtt_client.disconnect()
        mqtt_client.loop_stop()


def test_the_broker_command_requires_client_certificates_and_issues_them(tmp_path: Path) -> None:
    if not Path(MOSQUITTO).exists():
        pytest.skip("mosquitto is not installed (make install installs it as root)")
    home = tmp_path / "broker"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [*BROKER_MODULE, *args, "--home", str(home)]
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)

    up = run("up", "--client-certs")
    try:
        assert up.returncode == 0, up.stderr
        assert "client certificates required: bridge " in up.stdout
        assert str(home / "clients" / "gridledger-bridge.pem") in up.stdout
        config = (home / "mosquitto.conf").read_text()
        assert "require_certificate true\nuse_identity_as_username true\n" in config
        assert f"cafile {home / 'tls' / 'clients-ca.pem'}" in config
        issued = run("issue-client", "--name", "MTR-0042", "--role", "meter")
        assert issued.returncode == 0, issued.stderr
        assert issued.stdout.startswith("client MTR-0042 (meter): certificate ")
        bad = run("issue-client", "--name", "a/b", "--role", "meter")
        assert bad.returncode == 1
        assert bad.stderr.strip().splitlines() == [
            "gridledger_network.mqtt_broker: client name 'a/b': 1 to 64 letters, digits, '.', "
            "'_' or '-', starting with a letter or digit"
        ]
        acl = (home / "acl").read_text()
        assert "user gridledger-bridge\ntopic read meters/+/readings\n" in acl
        assert "user head-end\ntopic write meters/+/readings\n" in acl
        assert "pattern write meters/%u/readings" in acl
        assert run("down").returncode == 0
        again = run("up")  # a restart keeps the mode
        assert again.returncode == 0, again.stderr
        assert "client certificates required" in again.stdout
        assert json.loads((home / "broker.json").read_text())["client_certs"] is True
    finally:
        run("down")


def test_the_bridge_with_its_certificate_commits_what_the_simulator_publishes_with_its_own(
    cert_bridges: CertBridges, cert_broker: Broker, utility: EnergyClient, owner: str
) -> None:
    bridge = cert_bridges.start("cert-once")
    head_end = cert_broker.client(HEAD_END_CLIENT)
    prefix = f"CRT{uuid.uuid4().hex[:6]}"
    login = ["--cert", str(head_end.cert), "--key", str(head_end.key)]
    result = simulate(cert_broker, cert_bridges.network_home, owner, prefix, DAY, *login)
    assert result.exit_code == 0, result.output
    assert "published 12 readings of 3 meters" in result.output
    poll(lambda: committed(bridge, 12), "the simulated readings committed")
    for n in range(3):
        readings = utility.readings(f"{prefix}-{n:04d}", START, START + 86_400).all()
        assert len(readings) == 4
    assert bridge.metrics()["dead_lettered_total"] == 0


def test_a_bridge_without_a_certificate_is_refused_in_one_line(
    cert_bridges: CertBridges, cert_broker: Broker
) -> None:
    cert_bridges.login_as = None
    assert cert_bridges.refused("no-cert") == [
        f"gridledger bridge: the broker {cert_broker.address} refused the TLS connection: "
        "tlsv13 alert certificate required (it requires a client certificate: pass --cert and "
        "--key)"
    ]


def test_a_bridge_with_a_certificate_of_another_ca_is_refused_in_one_line(
    cert_bridges: CertBridges, cert_broker: Broker, tmp_path: Path
) -> None:
    other = issue_tls(issue_ca("someone-else-ca", "Someone Else"), BRIDGE_CLIENT, [])
    cert, key = tmp_path / "other.pem", tmp_path / "other.key"
    write_file(cert, other.cert_pem)
    write_file(key, other.key_pem, private=True)
    cert_bridges.login_as = ClientCertificate(BRIDGE_CLIENT, cert, key)
    assert cert_bridges.refused("other-ca") == [
        f"gridledger bridge: the broker {cert_broker.address} refused the TLS connection: "
        f"tlsv1 alert unknown ca (it does not trust the client certificate {cert}: not issued "
        "by its clients' CA)"
    ]


def test_the_certificates_cn_is_the_identity_the_acl_checks(
    cert_bridges: CertBridges,
    cert_broker: Broker,
    utility: EnergyClient,
    fleet: list[SimulatedMeter],
) -> None:
    bridge = cert_bridges.start("cert-acl", "--max-wait", "0.2")
    # a certificate whose CN (head-end) may publish readings but not read them
    cert_bridges.login_as = cert_broker.client(HEAD_END_CLIENT)
    reader = cert_bridges.start("cert-acl-head-end")
    mine, other, marker = fleet[0], fleet[1], fleet[2]
    meter_cert = issue_client(cert_broker.home, mine.meter_id, "meter")  # CN = the meter id
    # the broker acknowledges, and drops, what the ACL denies this CN: another meter's topic
    publish_as(
        cert_broker, meter_cert, [mine.signer.sign(START, 10, 0), other.signer.sign(START, 20, 0)]
    )
    publish_as(cert_broker, cert_broker.client(HEAD_END_CLIENT), [marker.signer.sign(START, 30, 0)])
    poll(lambda: committed(bridge, 2), "the meter's own reading and the head-end's committed")
    metrics = bridge.metrics()
    assert metrics["received_total"] == 2  # the other meter's reading never reached it
    assert metrics["queued_total"] == 2
    assert reader.metrics()["received_total"] == 0  # CN head-end: no right to read readings
    end = START + INTERVAL_SECONDS
    assert [r.reading.import_wh for r in utility.readings(mine.meter_id, START, end).all()] == [10]
    assert utility.readings(other.meter_id, START, end).all() == []
