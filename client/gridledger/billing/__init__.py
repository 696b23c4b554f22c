"""Automatic billing: the runner behind ``gridledger billing run`` (docs/billing-runner.md).

    from gridledger.billing import BillingRunner, OutboxTransactions, Reporter, RunnerState

It closes each billed participant's ended UTC days as their data completes (``CloseDays``, up to
100 participants per transaction, estimating only after a grace period), revises days listed by
``ListDaysToRevise``, and issues period bills on the tariff's cycle once all their days are
closed, through the durable outbox; every step is derived from the ledger, so a pass can be
repeated or cut short and run again.
"""

from gridledger.billing.calendar import (
    DEFAULT_GRACE,
    BillingError,
    parse_day,
    parse_duration,
)
from gridledger.billing.report import PassSummary, Reporter
from gridledger.billing.runner import BillingRunner, RunnerOptions
from gridledger.billing.service import open_runner
from gridledger.billing.state import RunnerState
from gridledger.billing.transactions import OutboxTransactions, Outcome

__all__ = [
    "DEFAULT_GRACE",
    "BillingError",
    "BillingRunner",
    "OutboxTransactions",
    "Outcome",
    "PassSummary",
    "Reporter",
    "RunnerOptions",
    "RunnerState",
    "open_runner",
    "parse_day",
    "parse_duration",
]
