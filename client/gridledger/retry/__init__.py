"""Which failed submissions to retry, and when: classification, backoff with jitter, a helper.

``classify(error)`` turns a Gateway error into a ``Verdict`` (see ``gridledger.retry.classify``
for the dispositions); ``RetryPolicy`` says how long to wait and how often to try.

``submit_with_retry(contract, "Fn", *args)`` (``await asubmit_with_retry(...)`` with an
``AsyncContract``) endorse, submit and wait for commit, endorsing again as a new transaction
after a retryable failure, with exponential backoff and jitter. Retrying an in-doubt
transaction may commit it twice: use it for idempotent functions (e.g. ``SubmitReading``), or
use ``gridledger.outbox``, which looks up in-doubt transaction ids before trying again.
"""

from gridledger.retry._async.submit import asubmit_with_retry
from gridledger.retry._sync.submit import submit_with_retry
from gridledger.retry.classify import Disposition, Verdict, classify
from gridledger.retry.policy import DEFAULT_RETRY_POLICY, RetriesExhausted, RetryPolicy

__all__ = [
    "DEFAULT_RETRY_POLICY",
    "Disposition",
    "RetriesExhausted",
    "RetryPolicy",
    "Verdict",
    "asubmit_with_retry",
    "classify",
    "submit_with_retry",
]
