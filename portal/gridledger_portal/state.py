"""What a running portal holds: its settings, account store, ledger connections, sign-in
limiter and the background readings submissions (``app.state.portal``)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gridledger.energy import BatchFailure, ReadingSubmissionError, SignedReading
from gridledger.gateway import GatewayError
from gridledger_domain.refusals import Refusal

from gridledger_portal.accounts import Accounts, Submission
from gridledger_portal.ledger import Ledger
from gridledger_portal.market_cache import MarketCache
from gridledger_portal.settings import PortalSettings

if TYPE_CHECKING:
    from gridledger_portal.auth import SignInLimiter

logger = logging.getLogger(__name__)


@dataclass
class Portal:
    settings: PortalSettings
    accounts: Accounts
    ledger: Ledger
    limiter: SignInLimiter
    market_cache: MarketCache
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def start_submission(self, submission: Submission) -> None:
        """Submit a readings submission in the background (its status is in the store)."""
        task = asyncio.create_task(self._submit(submission))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def resume_submissions(self) -> None:
        """Submissions accepted before a restart and not finished: submit them now (safe:
        an identical reading submitted again is a no-op)."""
        for submission in self.accounts.pending_submissions():
            self.start_submission(submission)

    async def _submit(self, submission: Submission) -> None:
        user = self.accounts.user(submission.user)
        if user is None:
            self.accounts.finish_submission(submission.id, "failed", {"detail": "no such user"})
            return
        client = self.ledger.energy(user.identity)
        readings = [SignedReading.from_json_dict(r) for r in submission.readings]
        result: dict[str, Any]
        try:
            summary = await client.submit_readings(readings, raise_on_failure=False)
        except Refusal as error:
            result = {"kind": error.kind.value, "detail": error.reason}
            self.accounts.finish_submission(submission.id, "refused", result)
            return
        except (GatewayError, ReadingSubmissionError) as error:
            self.accounts.finish_submission(submission.id, "failed", {"detail": str(error)})
            return
        result = {
            "stored": summary.stored,
            "duplicates": summary.duplicates,
            "certificates_issued": summary.certificates_issued,
            "transaction_ids": [batch.transaction_id for batch in summary.batches],
            "failures": [_failure(failure) for failure in summary.failures],
        }
        status = "committed" if summary.ok else "partial" if summary.batches else "refused"
        self.accounts.finish_submission(submission.id, status, result)
        self.accounts.audit(
            user.name,
            "readings submission",
            "submit readings",
            status,
            result["transaction_ids"],
            submission.id,
        )

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.ledger.close()
        self.accounts.close()


def _failure(failure: BatchFailure) -> dict[str, Any]:
    error = failure.error
    return {
        "batch": failure.index,
        "readings": failure.readings,
        "kind": error.kind.value if isinstance(error, Refusal) else None,
        "detail": error.reason if isinstance(error, Refusal) else str(error).splitlines()[0],
        "transaction_id": error.transaction_id or None,
    }
