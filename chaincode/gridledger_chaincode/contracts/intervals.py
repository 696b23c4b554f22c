"""Settlement intervals: 15 minutes, aligned, UTC, written `YYYY-MM-DDTHH:MM:SSZ`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gridledger_chaincode.contract.errors import ContractError

INTERVAL = timedelta(minutes=15)


def parse_interval_start(text: str) -> datetime:
    """Parse an ISO-8601 UTC instant that starts a 15-minute interval; refuse anything else."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise ContractError(
            f"intervalStart {text!r} is not an ISO-8601 time (e.g. 2025-01-01T10:15:00Z)"
        ) from None
    if instant.tzinfo is None or instant.utcoffset() != timedelta(0):
        raise ContractError(f"intervalStart {text!r} must be in UTC (end it with Z)")
    if instant.minute % 15 or instant.second or instant.microsecond:
        raise ContractError(
            f"intervalStart {text!r} is not aligned to a 15-minute interval "
            "(minutes 00, 15, 30 or 45, zero seconds)"
        )
    return instant.astimezone(UTC)


def format_interval_start(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
