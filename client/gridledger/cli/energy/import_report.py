"""What ``gridledger energy import-readings`` says about the batches that did not commit: one line
per batch the contract refused (its reason matters), and one line in all for the batches lost to
the network (an outage would otherwise print one line per batch, hundreds of them)."""

from __future__ import annotations

from gridledger.energy import BatchFailure, SubmissionSummary
from gridledger.retry import Disposition, classify

NETWORK_DISPOSITIONS = frozenset(
    {Disposition.UNAVAILABLE, Disposition.TRANSIENT, Disposition.IN_DOUBT}
)


def lost_to_network(failure: BatchFailure) -> bool:
    """The batch (or the one it waited for) failed to reach or hear back from the ledger,
    retries included, rather than being refused."""
    return not failure.refused and classify(failure.error).disposition in NETWORK_DISPOSITIONS


def failure_lines(summary: SubmissionSummary) -> list[str]:
    """The lines to print for ``summary``'s failures (none when every batch committed)."""
    lines = []
    for failure in summary.failures:
        if lost_to_network(failure):
            continue
        what = "skipped (an earlier batch of its meters failed)" if failure.skipped else "refused"
        lines.append(f"batch {failure.index}: {failure.readings} readings {what}: {failure.error}")
    if any(lost_to_network(failure) for failure in summary.failures):
        total = len(summary.batches) + len(summary.failures)
        lines.append(
            f"ledger unreachable: {len(summary.batches)} of {total} batches sent; "
            "re-running is safe (already stored readings are skipped)"
        )
    return lines
