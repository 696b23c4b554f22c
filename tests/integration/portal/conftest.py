"""A devnet of the portal tests' own, GridOperatorMSP's portal served by ``gridledger portal
serve`` in a subprocess (real HTTP on a free port), and an account per person made by
``gridledger portal add-user``.

People (GridOperatorMSP identities of the devnet config): ``utility`` (the utility), ``solar``
(identity ``city-solar``, a producer), ``dave`` (a consumer), ``auditor``; ``limited`` (bound to
``dave``) is kept for the sign-in rate limit test.
"""

from __future__ import annotations

import json
import os
import re
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from gridledger.energy import EnergyClient, MeterSigner, Role, Tariff
from gridledger_domain import format_utc
from gridledger_domain.timeutil import DAY_SECONDS, day_of
from gridledger_network.processes import free_ports
from harness.devnet import OPERATOR, TestNetwork, running_test_network

from ..energy.conftest import tariff_v1

pytestmark = pytest.mark.integration

API = "/api/v1"
TODAY = day_of(int(time.time()))
MARKET_DAY = TODAY + DAY_SECONDS  # offers are posted for tomorrow (no day of it is closed)
BILLED_DAY = TODAY - 3 * DAY_SECONDS  # dave's meter reports this day; the utility settles it
# account -> (identity, role, zone)
PEOPLE: dict[str, tuple[str, Role | None]] = {
    "utility": ("utility", None),
    "solar": ("city-solar", Role.PRODUCER),
    "dave": ("dave", Role.CONSUMER),
    "auditor": ("auditor", Role.AUDITOR),
    "limited": ("dave", None),
}
PASSWORD = re.compile(r"one-time password: (\S+)$")


class Client(httpx.Client):
    """An httpx client that may be used in a ``with`` block after its first request."""

    def __enter__(self) -> Client:
        return self


def portal_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "gridledger.cli.main", "portal", *args]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        portal_command(*args), capture_output=True, text=True, timeout=60, check=False
    )


@dataclass
class Site:
    """The devnet, the portal process and everyone's password and participant id."""

    network: TestNetwork
    utility: EnergyClient
    port: int
    passwords: dict[str, str]
    ids: dict[str, str]
    meters: dict[str, str]
    signers: dict[str, MeterSigner]
    process: subprocess.Popen[str] | None = None
    log: list[Path] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.network.home / f"portal-{len(self.log)}.log"
        self.log.append(log)
        self.process = start_portal(self.network.home, self.port, log)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def client(self, **headers: str) -> Client:
        return Client(base_url=self.base_url + API, timeout=60, headers=headers)

    def signed_in(self, account: str) -> tuple[Client, str]:
        """A client with ``account``'s session cookie, and the session's CSRF token."""
        client = self.client()
        answer = client.post(
            "/session", json={"name": account, "password": self.passwords[account]}
        )
        assert answer.status_code == 200, answer.text
        return client, str(answer.json()["csrf_token"])


def start_portal(
    home: Path, port: int, log: Path, *options: str, verify: ssl.SSLContext | bool = True
) -> subprocess.Popen[str]:
    """``gridledger portal serve`` for GridOperatorMSP on ``port``, once it answers."""
    scheme = "https" if options else "http"
    with log.open("w") as out:
        process = subprocess.Popen(
            portal_command(
                "serve", "--home", str(home), "--org", OPERATOR, "--port", str(port), *options
            ),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"{scheme}://127.0.0.1:{port}{API}/openapi.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the portal ended: {log.read_text()}")
        try:
            if httpx.get(url, timeout=2, verify=verify).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the portal did not answer within 60 s: {log.read_text()}")


def daily_tariff() -> Tariff:
    return Tariff.from_json_dict({**tariff_v1().to_json_dict(), "billing_cycle": "daily"})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("portal")
    with running_test_network(folder / ".devnet", with_node_chaincode=False) as network:
        utility = EnergyClient.connect(network.profile, OPERATOR, "utility")
        site = Site(network, utility, free_ports(1)[0], *populate(network, utility))
        try:
            site.start()
            yield site
        finally:
            site.stop()
            utility.close()


def populate(
    network: TestNetwork, utility: EnergyClient
) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, MeterSigner]]:
    """The tariff, the participants, a meter for ``solar`` and ``dave``, and the accounts:
    everyone's password, participant id, meter id and meter signer."""
    utility.set_tariff(daily_tariff())
    ids: dict[str, str] = {}
    for account, (identity, role) in PEOPLE.items():
        with EnergyClient.connect(network.profile, OPERATOR, identity) as client:
            me = client.whoami()
        ids[account] = me.participant_id
        if role is not None:
            utility.register_participant(me, role, zone="south", display_name=account.title())
    meters, signers = {}, {}
    for account, kind, source in (
        ("solar", "production", "solar"),
        ("dave", "consumption", "grid"),
    ):
        meter_id = f"PORTAL-{account.upper()}"
        signer = MeterSigner.simulated(meter_id, seed=f"portal {meter_id}")
        utility.register_meter(meter_id, ids[account], kind, source, "south", signer.public_key_pem)
        meters[account], signers[account] = meter_id, signer
    passwords = {}
    home = str(network.home)
    for account, (identity, _) in PEOPLE.items():
        done = run_cli(
            "add-user", account, "--identity", identity, "--home", home, "--org", OPERATOR
        )
        assert done.returncode == 0, done.stderr
        found = PASSWORD.search(done.stdout.strip())
        assert found is not None, done.stdout
        passwords[account] = found.group(1)
    return passwords, ids, meters, signers


def problem_of(answer: httpx.Response, status: int) -> dict[str, Any]:
    """The answer's RFC 9457 problem document, checked to have ``status``."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    document: dict[str, Any] = answer.json()
    assert document["status"] == status
    assert document["type"].startswith("/api/v1/problems/")
    assert document["title"] and document["detail"]
    return document


def market_instant(quarter: int = 0) -> str:
    return format_utc(MARKET_DAY + 15 * 60 * quarter)


def post_offer(
    site: Site, quantity: int, price: int, quarter: int = 0, count: int = 1
) -> dict[str, Any]:
    client, csrf = site.signed_in("solar")
    with client:
        body = {
            "meter_id": site.meters["solar"],
            "interval_start": market_instant(quarter),
            "interval_count": count,
            "quantity_wh": quantity,
            "price": price,
        }
        answer = client.post("/offers", json=body, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 201, answer.text
    assert answer.json()["transaction_id"]
    offer: dict[str, Any] = answer.json()["offer"]
    return offer


def buy_as(site: Site, account: str, offer_id: str, quantity: int) -> str:
    """``account`` buys ``quantity`` Wh from an offer through the API: the transaction id."""
    client, csrf = site.signed_in(account)
    with client:
        answer = client.post(
            f"/offers/{offer_id}/buy",
            json={"quantity_wh": quantity},
            headers={"X-CSRF-Token": csrf},
        )
    assert answer.status_code == 201, answer.text
    transaction_id = answer.json()["transaction_id"]
    assert transaction_id
    return str(transaction_id)


def read_events(lines: Iterator[str], count: int, timeout: float) -> list[dict[str, Any]]:
    """The next ``count`` server-sent events (id, event, data) of a stream's lines."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    for line in lines:
        if line.startswith("id: "):
            current["id"] = line[4:]
        elif line.startswith("event: "):
            current["event"] = line[7:]
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
        elif line == "" and current:
            events.append(current)
            current = {}
            if len(events) == count:
                return events
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"only {len(events)} of {count} events within {timeout} s: {events}")
