"""``gridledger billing run`` on its own devnet (it bills every participant of the ledger):
consumers billed daily over a few days by ``--once``, a second ``--once`` issuing nothing new,
a day waiting for a reading named in the output, and the runner killed after its first progress
line and started again: every bill exactly once."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from fabric.backend import start_backend_network
from gridledger.energy import EnergyClient, MeterSigner, Role, SignedReading, Tariff
from gridledger_domain import format_utc
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS, day_of
from harness.devnet import OPERATOR, PROSUMER, TestNetwork

from .conftest import tariff_v1

pytestmark = pytest.mark.integration

TODAY = day_of(int(time.time()))
PROGRESS = re.compile(r"^\d{4}-\d{2}-\d{2}( batch \d+/\d+)?: closed \d+")


@dataclass
class Ledger:
    network: TestNetwork
    utility: EnergyClient
    ids: dict[str, str]


def daily_tariff() -> Tariff:
    document = {**tariff_v1().to_json_dict(), "billing_cycle": "daily"}
    return Tariff.from_json_dict(document)


@pytest.fixture(scope="module")
def ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    """A network of its own, on the selected backend (devnet, or real Fabric)."""
    home = tmp_path_factory.mktemp("billing") / ".devnet"
    network = start_backend_network(home, request.config, with_node_chaincode=False)
    with ExitStack() as stack:
        stack.callback(network.stop)
        utility = stack.enter_context(EnergyClient.connect(network.profile, OPERATOR, "utility"))
        utility.set_tariff(daily_tariff())
        yield Ledger(network, utility, {})


def register(ledger: Ledger, user: str, org: str) -> None:
    """``user`` as a consumer (the runner bills every participant from its first day)."""
    with EnergyClient.connect(ledger.network.profile, org, user) as client:
        me = client.whoami()
    ledger.utility.register_participant(me, Role.CONSUMER, zone="north", display_name=user)
    ledger.ids[user] = me.participant_id


def meter_readings(
    ledger: Ledger, user: str, first_day: int, days: int, skip: int | None = None
) -> None:
    """A consumption meter for ``user`` reporting every 15 minutes over ``days`` days from
    ``first_day`` (both midnights included), but the reading at ``skip``."""
    meter_id = f"M-{user}"
    signer = MeterSigner.simulated(meter_id, seed=f"billing {meter_id}")
    ledger.utility.register_meter(
        meter_id, ledger.ids[user], "consumption", "grid", "north", signer.public_key_pem
    )
    count = days * DAY_SECONDS // INTERVAL_SECONDS + 1
    readings: list[SignedReading] = [
        signer.sign(first_day + i * INTERVAL_SECONDS, 100 * i, 0)
        for i in range(count)
        if first_day + i * INTERVAL_SECONDS != skip
    ]
    ledger.utility.submit_readings(readings)


def run_billing(ledger: Ledger, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "gridledger.cli.main", "billing", "run"]
    command += ["--home", str(ledger.network.home), "--org", OPERATOR, "--grace", "1000h", *args]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment
    )


def run_once(ledger: Ledger, *args: str) -> list[str]:
    process = run_billing(ledger, "--once", *args)
    output, _ = process.communicate(timeout=240)
    assert process.returncode == 0, output
    return output.splitlines()


def periods(ledger: Ledger, user: str) -> list[tuple[str, str]]:
    bills = ledger.utility.bills(ledger.ids[user]).all()
    assert len({bill.bill_id for bill in bills}) == len(bills)
    return [(format_utc(b.period_start)[:10], format_utc(b.period_end)[:10]) for b in bills]


def days_from(first: int, count: int) -> list[tuple[str, str]]:
    return [
        (format_utc(first + i * DAY_SECONDS)[:10], format_utc(first + (i + 1) * DAY_SECONDS)[:10])
        for i in range(count)
    ]


def test_once_bills_each_complete_day_and_names_what_it_waits_for(ledger: Ledger) -> None:
    first = TODAY - 3 * DAY_SECONDS
    gap = first + DAY_SECONDS + 10 * 3600
    for user, org in (("dave", OPERATOR), ("bob", PROSUMER), ("carol", PROSUMER)):
        register(ledger, user, org)
    meter_readings(ledger, "dave", first, 3)
    meter_readings(ledger, "bob", first, 3)
    meter_readings(ledger, "carol", first, 3, skip=gap)
    since = format_utc(first)[:10]

    lines = run_once(ledger, "--since", since)
    progress = [line for line in lines if PROGRESS.match(line)]
    assert progress[0] == f"{since}: closed 3, waiting 0, bills issued 3", lines
    assert len(progress) == 3
    waiting = [line for line in lines if line.startswith("waiting:")]
    assert len(waiting) == 1, lines
    assert ledger.ids["carol"] in waiting[0]
    assert format_utc(first + DAY_SECONDS)[:10] in waiting[0] and "first at" in waiting[0]
    assert periods(ledger, "dave") == days_from(first, 3)
    assert periods(ledger, "bob") == days_from(first, 3)
    assert periods(ledger, "carol") == days_from(first, 1)

    again = run_once(ledger, "--since", since)
    assert again[-1].startswith("pass done: 0 day(s) closed"), again
    assert "0 bill(s) issued" in again[-1]
    assert periods(ledger, "dave") == days_from(first, 3)
    assert periods(ledger, "carol") == days_from(first, 1)


def test_killed_after_its_first_progress_line_and_restarted_every_bill_once(
    ledger: Ledger,
) -> None:
    first = TODAY - 5 * DAY_SECONDS
    for user, org in (("alice", PROSUMER), ("city-solar", OPERATOR)):
        register(ledger, user, org)
        meter_readings(ledger, user, first, 5)
    shutil.rmtree(ledger.network.home / "billing", ignore_errors=True)  # no local state
    since = format_utc(first)[:10]

    process = run_billing(ledger, "--once", "--since", since)
    seen: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        seen.append(line.rstrip("\n"))
        if PROGRESS.match(line):
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, seen
    assert all(len(periods(ledger, user)) < 5 for user in ("alice", "city-solar"))

    run_once(ledger, "--since", since)
    run_once(ledger, "--since", since)
    for user in ("alice", "city-solar"):
        assert periods(ledger, user) == days_from(first, 5)
