"""Reading rules: which submitted readings are stored, which are no-ops, which are refused.

Pure functions over what the ledger holds; the ledger layer supplies the meters and the stored
readings around the submitted ones and writes only what :func:`plan_readings` says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from gridledger_domain import MeterReading, SignedReading, format_utc, verify_batch
from gridledger_domain.records import DataCustodian, Meter
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest, NotFound

MAX_BATCH = 10_000
"""Most readings accepted in one transaction."""


@dataclass(frozen=True, slots=True)
class ReadingPlan:
    """What to write for a batch: ``store`` (new readings) and ``duplicates`` (identical no-ops)."""

    store: tuple[SignedReading, ...]
    duplicates: tuple[SignedReading, ...]
    replaced: tuple[SignedReading, ...] = ()
    """Those of ``store`` that replace a stored estimated reading (see :func:`replaces`)."""


def _where(reading: MeterReading) -> str:
    return f"{reading.meter_id} at {format_utc(reading.interval_start)}"


def _registers(reading: MeterReading) -> str:
    return f"import={reading.import_wh} Wh export={reading.export_wh} Wh"


def conflicting_duplicate(known: MeterReading, submitted: MeterReading, on_ledger: bool) -> str:
    """Why a second, different reading of one meter and interval is refused: what the ledger
    holds for them (or the batch's first reading of them) against what is submitted."""
    if on_ledger:
        return (
            f"conflicting duplicate reading for {_where(submitted)}: the ledger holds "
            f"{_registers(known)} for that meter and interval, the batch submits "
            f"{_registers(submitted)} (a stored reading is never replaced, except an estimated "
            "one by an actual one, once)"
        )
    return (
        f"conflicting duplicate reading for {_where(submitted)} in the batch: "
        f"{_registers(known)} and {_registers(submitted)} (neither is on the ledger)"
    )


def replaces(stored: MeterReading, submitted: MeterReading) -> bool:
    """Whether ``submitted`` replaces the ``stored`` reading of the same meter and instant: only
    an actual reading replaces an estimated one (utilities replace their estimates by actuals),
    so a reading is replaced at most once; never on a closed day (checked by the ledger)."""
    return stored.estimated and not submitted.estimated


def same_registers(a: MeterReading, b: MeterReading) -> bool:
    return a.import_wh == b.import_wh and a.export_wh == b.export_wh


def check_order(earlier: MeterReading, later: MeterReading) -> None:
    """Refuse registers going backwards between two readings of one meter (earlier < later)."""
    if later.import_wh < earlier.import_wh or later.export_wh < earlier.export_wh:
        raise Conflict(
            f"register going backwards for meter {later.meter_id}: "
            f"{format_utc(earlier.interval_start)} import={earlier.import_wh} "
            f"export={earlier.export_wh}, {format_utc(later.interval_start)} "
            f"import={later.import_wh} export={later.export_wh}"
        )


def plan_readings(
    batch: Sequence[SignedReading],
    meters: Mapping[str, Meter],
    stored: Mapping[str, Mapping[int, SignedReading]],
    custodians: Mapping[str, DataCustodian] | None = None,
) -> ReadingPlan:
    """Validate a batch against the ledger; raise on the first refusal (nothing is written).

    ``meters`` holds every meter the batch names that exists; ``stored[meter_id]`` holds the
    meter's stored readings around the batch (at least the nearest before and after each
    submitted reading); ``custodians`` every registered data custodian the batch names as a
    signer. Rules, in order: batch size; unknown meter; inactive meter; a reading
    off the meter's interval grid; a signer that is not a registered data custodian, or not one
    the meter allows; signature (the meter's key, or the signer's);
    a conflicting duplicate (in the batch or on the ledger; an actual reading replacing a stored
    estimated one is not a duplicate); registers going backwards against
    the neighbouring readings (stored or in the batch). Identical duplicates are no-ops.
    """
    if not batch:
        raise InvalidRequest("no readings submitted")
    if len(batch) > MAX_BATCH:
        raise InvalidRequest(f"at most {MAX_BATCH} readings per transaction, got {len(batch)}")
    for signed in batch:
        meter = meters.get(signed.reading.meter_id)
        if meter is None:
            raise NotFound(f"unknown meter {signed.reading.meter_id}")
        if not meter.active:
            raise InvalidRequest(f"meter {meter.meter_id} is inactive")
        if not meter.on_grid(signed.reading.interval_start):
            raise InvalidRequest(
                f"reading {_where(signed.reading)} is not on the meter's "
                f"{meter.interval_minutes}-minute interval grid (a reading is never split or "
                "moved to fit another length)"
            )

    known_custodians = custodians or {}
    for index, signed in enumerate(batch):
        if not signed.signer:
            continue
        where = f"reading {index} ({_where(signed.reading)})"
        if signed.signer not in known_custodians:
            raise NotFound(f"{where} refused: unknown data custodian {signed.signer}")
        if not meters[signed.reading.meter_id].vouched_by(signed.signer):
            raise AccessDenied(
                f"{where} refused: data custodian {signed.signer} is not allowed to vouch for "
                f"meter {signed.reading.meter_id} (the utility names a meter's data custodians)"
            )

    def key_of(meter_id: str) -> str | None:
        found = meters.get(meter_id)
        return found.public_key_pem if found is not None else None

    def custodian_key(custodian_id: str) -> str | None:
        found = known_custodians.get(custodian_id)
        return found.public_key_pem if found is not None else None

    for verdict in verify_batch(batch, key_of, custodian_key):
        if not verdict.ok:
            raise InvalidRequest(
                f"reading {verdict.index} ({verdict.meter_id} at "
                f"{format_utc(verdict.interval_start)}) refused: {verdict.reason}"
            )

    new: dict[tuple[str, int], SignedReading] = {}
    duplicates: list[SignedReading] = []
    replacing: set[tuple[str, int]] = set()
    for signed in batch:
        reading = signed.reading
        key = (reading.meter_id, reading.interval_start)
        on_ledger = stored.get(reading.meter_id, {}).get(reading.interval_start)
        in_batch = new.get(key)
        if in_batch is None and on_ledger is not None and replaces(on_ledger.reading, reading):
            new[key] = signed
            replacing.add(key)
            continue
        known = in_batch or on_ledger
        if known is not None:
            if not same_registers(known.reading, reading):
                raise Conflict(conflicting_duplicate(known.reading, reading, in_batch is None))
            duplicates.append(signed)
            continue
        new[key] = signed

    by_meter: dict[str, dict[int, MeterReading]] = {}
    for meter_id, readings in stored.items():
        by_meter[meter_id] = {instant: s.reading for instant, s in readings.items()}
    for (meter_id, instant), signed in new.items():
        by_meter.setdefault(meter_id, {})[instant] = signed.reading
    touched = {meter_id for meter_id, _ in new}
    for meter_id in sorted(touched):
        timeline = [by_meter[meter_id][instant] for instant in sorted(by_meter[meter_id])]
        for earlier, later in pairwise(timeline):
            check_order(earlier, later)

    ordered = tuple(new[key] for key in sorted(new))
    replaced = tuple(new[key] for key in sorted(replacing))
    return ReadingPlan(store=ordered, duplicates=tuple(duplicates), replaced=replaced)
