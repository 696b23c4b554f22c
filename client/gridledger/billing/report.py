"""What the billing runner tells its operator: one progress line per day and batch, what it
waits for (once per participant until that changes), failures; details only when verbose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gridledger.billing.calendar import day_text
from gridledger.energy import DayResult
from gridledger_domain import format_utc


@dataclass
class PassSummary:
    """What one pass did."""

    closed: int = 0
    waiting: int = 0
    bills_issued: int = 0
    revised: int = 0
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return (
            f"pass done: {self.closed} day(s) closed, {self.waiting} participant(s) waiting, "
            f"{self.bills_issued} bill(s) issued, {self.revised} day(s) revised{failed}"
        )


class Reporter:
    """Prints through ``echo`` (a line at a time); ``verbose`` adds per-participant details."""

    def __init__(self, echo: Callable[[str], None], *, verbose: bool = False) -> None:
        self.echo = echo
        self.verbose = verbose
        self._waits: dict[str, tuple[int, str]] = {}

    def detail(self, text: str) -> None:
        if self.verbose:
            self.echo(f"  {text}")

    def progress(
        self, day: int, batch: int, of: int, closed: int, waiting: int, bills: int, estimated: int
    ) -> None:
        where = day_text(day) + (f" batch {batch}/{of}" if of > 1 else "")
        with_estimates = f" ({estimated} with estimated readings)" if estimated else ""
        self.echo(
            f"{where}: closed {closed}{with_estimates}, waiting {waiting}, bills issued {bills}"
        )

    def waiting(self, day: int, result: DayResult, grace_ends: int) -> None:
        """``result`` waits for readings; said once until what it waits for changes."""
        said = (day, result.detail)
        if self._waits.get(result.participant) == said:
            return
        self._waits[result.participant] = said
        self.echo(
            f"waiting: {result.participant} {day_text(day)}: {result.detail} "
            f"(estimated after {format_utc(grace_ends)} if still missing)"
        )

    def failure(self, summary: PassSummary, text: str) -> None:
        summary.failures.append(text)
        self.echo(f"failed: {text}")
