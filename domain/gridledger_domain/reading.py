"""A meter reading: cumulative import/export registers of one meter at one interval boundary."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gridledger_domain.errors import InvalidReading
from gridledger_domain.timeutil import INTERVAL_SECONDS, MAX_INSTANT, MAX_SAFE_INTEGER

METER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
"""Meter ids: 1-64 ASCII characters, letters, digits and ``. _ : -``, starting alphanumeric."""


@dataclass(frozen=True, slots=True)
class MeterReading:
    """Registers of ``meter_id`` at the instant ``interval_start`` (Unix seconds, UTC).

    ``import_wh`` and ``export_wh`` are the meter's cumulative registers in watt-hours at that
    instant, i.e. at the start of the 15-minute interval ``[interval_start, interval_start+900)``.
    The energy of that interval is the next reading's registers minus this one's.

    ``estimated``: the energy of the interval that *ends* at this reading (from the meter's
    previous reading on its grid) is an estimate, not a measurement (a data custodian's ESPI
    ReadingQuality 8, 9 or 12, or a head-end's own estimate). Absent (False) in the encoding and
    the transport form, so a reading without it encodes and signs exactly as before the flag.
    """

    meter_id: str
    interval_start: int
    import_wh: int
    export_wh: int
    estimated: bool = False

    def __post_init__(self) -> None:
        validate_reading_fields(self.meter_id, self.interval_start, self.import_wh, self.export_wh)
        if type(self.estimated) is not bool:
            raise InvalidReading(
                f"estimated must be true or false, got {type(self.estimated).__name__}"
            )


def validate_meter_id(meter_id: object) -> str:
    """Return ``meter_id`` if it is a well-formed meter id, else raise InvalidReading."""
    if not isinstance(meter_id, str) or METER_ID_PATTERN.match(meter_id) is None:
        raise InvalidReading(
            f"meter id must be 1-64 characters [A-Za-z0-9._:-] starting alphanumeric: {meter_id!r}"
        )
    return meter_id


def _check_int(name: str, value: object, maximum: int = MAX_SAFE_INTEGER) -> int:
    if type(value) is not int:
        raise InvalidReading(f"{name} must be an integer, got {type(value).__name__}")
    if value < 0 or value > maximum:
        raise InvalidReading(f"{name} must be between 0 and {maximum}: {value}")
    return value


def validate_reading_fields(
    meter_id: object, interval_start: object, import_wh: object, export_wh: object
) -> None:
    """Raise InvalidReading unless every field is in range (interval start 15-minute aligned)."""
    validate_meter_id(meter_id)
    start = _check_int("interval_start", interval_start, MAX_INSTANT)
    if start % INTERVAL_SECONDS:
        raise InvalidReading(
            f"interval_start must be aligned to 15 minutes (UTC): {start} is {start % 900}s past"
        )
    _check_int("import_wh", import_wh)
    _check_int("export_wh", export_wh)


def interval_energy(opening: MeterReading, closing: MeterReading) -> tuple[int, int]:
    """(import Wh, export Wh) between two readings of one meter: the registers' differences."""
    return closing.import_wh - opening.import_wh, closing.export_wh - opening.export_wh
