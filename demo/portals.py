"""The demo's market portals (``python -m demo --keep``): one ``gridledger portal serve`` per
organisation, each on its own port on 127.0.0.1, started and stopped by the project's process
manager (``gridledger_network.processes``, pid files in the demo home's ``run/``), and a portal
account for each person of the demo bound to their own Fabric identity.
"""

from __future__ import annotations

import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from gridledger.energy import Role
from gridledger_network.processes import (
    HOST,
    RunFolder,
    clean_environment,
    free_ports,
    start_process,
    stop_process,
    wait_recorded,
)
from gridledger_portal.accounts import Accounts
from gridledger_portal.settings import PORTAL_FOLDER, PortalSettings

from demo.cast import OPERATOR, PROSUMER, Actor, market_cast

ORGANISATIONS = (OPERATOR, PROSUMER)
PROCESS_PREFIX = "portal-"
READY_SECONDS = 60.0
MARKET_INTERVAL = "2025-06-21T12:00"  # noon of the demo's market day: its offers are listed


def process_name(org: str) -> str:
    return f"{PROCESS_PREFIX}{org.lower()}"


@dataclass(frozen=True, slots=True)
class Portal:
    org: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def market_url(self) -> str:
        return f"{self.url}/market?interval={MARKET_INTERVAL}"

    @property
    def sign_in_url(self) -> str:
        return f"{self.url}/sign-in"


@dataclass(frozen=True, slots=True)
class SignIn:
    """A demo person's portal account: sign-in name, one-time password, their portal."""

    name: str
    display_name: str
    identity: str
    password: str
    portal: Portal


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/openapi.json", timeout=2) as answer:
            return int(answer.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def start_portals(home: Path, ports: Sequence[int] | None = None) -> list[Portal]:
    """Serve each organisation's portal for the network in ``home`` once it answers (on
    ``ports``, else free ones); earlier portals and accounts there are removed first."""
    stop_portals(home)
    shutil.rmtree(home / PORTAL_FOLDER, ignore_errors=True)
    chosen = list(ports) if ports is not None else free_ports(len(ORGANISATIONS))
    run = RunFolder(home)
    portals = [Portal(org, port) for org, port in zip(ORGANISATIONS, chosen, strict=True)]
    try:
        for portal in portals:
            start_process(
                run,
                process_name(portal.org),
                [
                    *(sys.executable, "-m", "gridledger.cli.main", "portal", "serve"),
                    *("--home", str(home), "--org", portal.org, "--port", str(portal.port)),
                ],
                env=clean_environment({"PYTHONUNBUFFERED": "1"}),
            )
        for portal in portals:
            wait_recorded(
                run,
                process_name(portal.org),
                partial(_answers, portal.url),
                f"answer on {portal.url}",
                READY_SECONDS,
                interval_seconds=0.2,
            )
    except BaseException:
        stop_portals(home)
        raise
    return portals


def portals_running(home: Path) -> bool:
    run = RunFolder(home)
    return all(run.running(process_name(org)) for org in ORGANISATIONS)


def stop_portals(home: Path) -> list[str]:
    """Stop every portal the demo started in ``home``; the names of those that ran."""
    run = RunFolder(home)
    return [
        name for name in run.names() if name.startswith(PROCESS_PREFIX) and stop_process(run, name)
    ]


def portal_people() -> tuple[Actor, ...]:
    """Who gets a portal account: the utility's operator and everyone of the market day."""
    return (Actor("utility", "utility", OPERATOR, Role.UTILITY, "", "The utility"), *market_cast())


def add_accounts(home: Path, people: Sequence[Actor], portals: Sequence[Portal]) -> list[SignIn]:
    """A portal account for each of ``people`` on their organisation's portal, bound to their
    own Fabric identity (what ``gridledger portal add-user`` does)."""
    by_org = {portal.org: portal for portal in portals}
    sign_ins: list[SignIn] = []
    for org, portal in by_org.items():
        accounts = Accounts(PortalSettings(home=home, org=org).database)
        try:
            for actor in people:
                if actor.msp_id == org:
                    password = accounts.add_user(actor.key, actor.user)
                    sign_ins.append(
                        SignIn(actor.key, actor.display_name, actor.user, password, portal)
                    )
        finally:
            accounts.close()
    return sign_ins
