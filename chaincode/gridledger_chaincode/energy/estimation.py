"""Estimating missing readings (validation, estimation and editing, as meter-data systems do).

A pure, deterministic rule over the readings the ledger holds; docs/settlement.md ("Estimation")
states it. Registers are estimated, not interval energies, so an estimate never makes a register
go backwards and the energy between two known readings is kept whole.

For each run of missing instants of a meter in a day, with ``opening`` the nearest known reading
before the run and ``closing`` the nearest after it:

- both known and at most :data:`SHORT_GAP_SECONDS` apart: **linear** interpolation of each
  register between them (rounded down to whole Wh);
- otherwise, if the meter's readings of the same intervals one week earlier (the same weekday)
  are all known: **profile**, each missing interval gets that week-earlier energy, counted up
  from ``opening`` and never past ``closing``;
- otherwise, both known: **linear** (however long the gap);
- otherwise **flat**: zero energy (registers held at ``opening``, or at ``closing`` when the
  meter had no reading before the run).

Every rule works in the meter's own interval length (``step``: 15, 30 or 60 minutes): the
missing instants are those of its grid, a profile copies its week-earlier intervals of that
length; an estimate records the length it was made in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gridledger_domain import INTERVAL_SECONDS, MeterReading
from gridledger_domain.records import Estimate
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import DAY_SECONDS
from gridledger_domain.vocabulary import EstimationMethod

SHORT_GAP_SECONDS = 4 * 3600
PROFILE_LAG_SECONDS = 7 * DAY_SECONDS

Registers = tuple[int, int]


def missing_runs(
    instants: Sequence[int], known: Mapping[int, object], step: int = INTERVAL_SECONDS
) -> list[tuple[int, int]]:
    """Maximal runs ``(first, last)`` of consecutive ``instants`` (``step`` apart) absent from
    ``known``."""
    runs: list[tuple[int, int]] = []
    for instant in instants:
        if instant in known:
            continue
        if runs and runs[-1][1] == instant - step:
            runs[-1] = (runs[-1][0], instant)
        else:
            runs.append((instant, instant))
    return runs


def profile_instants(first: int, last: int, step: int = INTERVAL_SECONDS) -> range:
    """The week-earlier instants a profile estimate of ``first..last`` reads: the readings
    opening and closing each week-earlier interval (``step`` long) that ends at a missing
    instant."""
    start = first - step - PROFILE_LAG_SECONDS
    return range(start, last - PROFILE_LAG_SECONDS + 1, step)


def choose_method(
    first: int, last: int, opening: int | None, closing: int | None, profile_complete: bool
) -> EstimationMethod:
    if opening is not None and closing is not None and closing - opening <= SHORT_GAP_SECONDS:
        return EstimationMethod.LINEAR
    if opening is not None and profile_complete:
        return EstimationMethod.PROFILE
    if opening is not None and closing is not None:
        return EstimationMethod.LINEAR
    return EstimationMethod.FLAT


def plan_estimates(
    meter_id: str,
    instants: Sequence[int],
    known: Mapping[int, MeterReading],
    step: int = INTERVAL_SECONDS,
) -> list[Estimate]:
    """The estimates of every missing instant of ``instants`` (the meter's grid, ``step``
    apart); ``known`` holds the meter's readings of those instants plus the nearest known before
    and after them and, where it has them, the week-earlier readings (see
    :func:`profile_instants`)."""
    estimates = []
    ordered = sorted(known)
    for first, last in missing_runs(instants, known, step):
        before = [at for at in ordered if at < first]
        after = [at for at in ordered if at > last]
        opening = before[-1] if before else None
        closing = after[0] if after else None
        complete = opening is not None and all(
            at in known for at in profile_instants(first, last, step)
        )
        method = choose_method(first, last, opening, closing, complete)
        estimates.append(
            Estimate(
                meter_id=meter_id,
                first=first,
                last=last,
                method=method,
                opening=first if opening is None else opening,
                closing=last if closing is None else closing,
                interval_minutes=step // 60,
            )
        )
    return estimates


def _registers(reading: MeterReading) -> Registers:
    return reading.import_wh, reading.export_wh


def _need(known: Mapping[int, MeterReading], at: int, estimate: Estimate) -> MeterReading:
    reading = known.get(at)
    if reading is None:
        raise InvalidRequest(
            f"estimate of {estimate.meter_id} needs its reading at {at}, which the ledger lacks"
        )
    return reading


def estimated_readings(
    estimate: Estimate, known: Mapping[int, MeterReading]
) -> dict[int, MeterReading]:
    """The readings ``estimate`` stands for, computed from ``known`` (its opening, closing and,
    for a profile, the week-earlier readings)."""
    has_opening = estimate.opening < estimate.first
    has_closing = estimate.closing > estimate.last
    opening = _registers(_need(known, estimate.opening, estimate)) if has_opening else None
    closing = _registers(_need(known, estimate.closing, estimate)) if has_closing else None
    run = range(estimate.first, estimate.last + 1, estimate.step)
    values: dict[int, Registers] = {}
    if estimate.method is EstimationMethod.LINEAR:
        if opening is None or closing is None:
            raise InvalidRequest(f"a linear estimate of {estimate.meter_id} needs both ends")
        span = estimate.closing - estimate.opening
        for at in run:
            done = at - estimate.opening
            values[at] = (
                opening[0] + (closing[0] - opening[0]) * done // span,
                opening[1] + (closing[1] - opening[1]) * done // span,
            )
    elif estimate.method is EstimationMethod.PROFILE:
        if opening is None:
            raise InvalidRequest(f"a profile estimate of {estimate.meter_id} needs its opening")
        current = opening
        for at in run:
            then = _registers(_need(known, at - PROFILE_LAG_SECONDS, estimate))
            before = _registers(_need(known, at - estimate.step - PROFILE_LAG_SECONDS, estimate))
            current = (
                current[0] + max(then[0] - before[0], 0),
                current[1] + max(then[1] - before[1], 0),
            )
            if closing is not None:
                current = (min(current[0], closing[0]), min(current[1], closing[1]))
            values[at] = current
    else:
        held = opening if opening is not None else closing
        if held is None:
            raise InvalidRequest(f"no known reading of {estimate.meter_id} to hold")
        values = dict.fromkeys(run, held)
    return {
        at: MeterReading(estimate.meter_id, at, import_wh, export_wh)
        for at, (import_wh, export_wh) in values.items()
    }
