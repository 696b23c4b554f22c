"""Setting the runner up: the utility's connection, the durable outbox and the local state in
one billing folder (the CLI's ``HOME/billing/``; the demo's too)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from gridledger.billing.report import Reporter
from gridledger.billing.runner import BillingRunner, RunnerOptions
from gridledger.billing.state import RunnerState
from gridledger.billing.transactions import OutboxTransactions
from gridledger.energy import EnergyClient
from gridledger.energy.client import CHAINCODE
from gridledger.outbox import Outbox, OutboxDrainer
from gridledger.profile import ConnectionProfile


@contextmanager
def open_runner(
    profile: ConnectionProfile,
    folder: Path,
    org: str,
    echo: Callable[[str], None],
    *,
    user: str = "utility",
    chaincode: str = CHAINCODE,
    options: RunnerOptions | None = None,
    verbose: bool = False,
    timeout: float | None = None,
) -> Iterator[BillingRunner]:
    """A ``BillingRunner`` acting as ``org``'s ``user`` (the utility), its outbox and state in
    ``folder`` (created owner-only), printing through ``echo``."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with ExitStack() as stack:
        outbox = stack.enter_context(Outbox.open(folder / f"outbox-{org}.sqlite"))
        drainer = stack.enter_context(
            OutboxDrainer(outbox, lambda: profile.connect(org, user=user), workers=4)
        )
        client = stack.enter_context(
            EnergyClient.connect(profile, org, user, chaincode=chaincode, timeout=timeout)
        )
        transactions = OutboxTransactions(
            outbox, drainer, channel=profile.channel, chaincode=chaincode
        )
        yield BillingRunner(
            client,
            transactions,
            RunnerState.load(folder / f"state-{org}.json"),
            Reporter(echo, verbose=verbose),
            options or RunnerOptions(),
        )
