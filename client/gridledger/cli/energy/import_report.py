"""What ``gridledger energy import-readings`` says about the batches that did not commit: one line
per batch the contract refused (its reason matters), and one line in all for the batches lost to
the network (an outage would otherwise print one line per batch, hundreds of them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from gridledger.energy import BatchFailure, Progress, SubmissionSummary
from gridledger.retry import Disposition, classify
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as ProgressBar

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


@contextmanager
def submission_progress(console: Console, total: int) -> Iterator[Callable[[Progress], None]]:
    """A progress bar of ``total`` readings submitted in batches; yields its ``on_progress``."""
    columns = (
        TextColumn("[bold]submitting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("readings, {task.fields[batches]}"),
        TimeRemainingColumn(),
    )
    with ProgressBar(*columns, console=console) as bar:
        task = bar.add_task("readings", total=total, batches="")

        def update(progress: Progress) -> None:
            failed = f", {progress.failed_batches} failed" if progress.failed_batches else ""
            batches = f"batch {progress.batches_done}/{progress.batches_total}{failed}"
            bar.update(task, completed=progress.readings_done, batches=batches)

        yield update
