"""A period bill from its day statements, and true-ups from revised days (pure functions).

A day statement is the bill of one UTC day (``settlement.settle`` over a one-day period). A
period bill adds its days' exact line quantities per line key and computes amounts and tax once
on the sums, so it equals settling the whole period at once (docs/settlement.md, "Day
statements"); it also carries the true-up lines of earlier days revised since the last bill.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from gridledger_domain.canonical import canonical_json, sha256_hex
from gridledger_domain.records import (
    Bill,
    LineItem,
    MatchedEnergy,
    Revision,
    bill_id_for,
)
from gridledger_domain.records.codec import Instant, Record
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.vocabulary import LineKind

from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.settlement import DAY, Accumulator, energy_lines, with_tax

BILL_INPUTS_FORMAT = "gridledger.bill-inputs/2"
_NOT_ENERGY = {LineKind.FIXED_FEE, LineKind.TAX}


@dataclass(frozen=True, slots=True)
class TrueUp(Record):
    """What revising ``day`` changed: its revision's inputs hash and the difference lines."""

    day: Instant
    revision: int
    inputs_hash: str
    lines: tuple[LineItem, ...]


def true_up_lines(before: Bill, after: Bill, day: int) -> tuple[LineItem, ...]:
    """The energy lines of ``after`` minus those of ``before`` (a day and its revision), per
    line key regardless of estimation, each at the day's own prices; zero differences dropped."""
    change = Accumulator()
    for sign, statement in ((-1, before), (1, after)):
        for line in statement.lines:
            if line.kind not in _NOT_ENERGY:
                change.add(
                    line.kind,
                    line.tariff_version,
                    sign * line.quantity,
                    line.unit_price,
                    counterparty=line.counterparty,
                    band=line.band,
                )
    lines = [replace(line, corrects=day) for line in energy_lines(change) if line.quantity]
    return tuple(sorted(lines, key=LineItem.sort_key))


def assemble(
    participant: str,
    period: Period,
    statements: Sequence[Bill],
    true_ups: Sequence[TrueUp],
    rates: Mapping[int, int],
) -> Bill:
    """The bill of ``period`` from the statements of its days (in day order) and the true-ups it
    carries; ``rates`` maps every tariff version involved to its tax rate."""
    days = list(period.day_starts())
    if [statement.period_start for statement in statements] != days:
        raise InvalidRequest(f"a bill for {period.label()} needs one statement per day")
    currencies = {statement.currency for statement in statements}
    if len(currencies) != 1:
        raise InvalidRequest(f"day statements use several currencies: {sorted(currencies)}")
    acc = Accumulator()
    fixed: dict[tuple[int, int], int] = defaultdict(int)
    for statement in statements:
        for line in statement.lines:
            if line.kind is LineKind.FIXED_FEE:
                fixed[(line.tariff_version, line.unit_price)] += line.quantity
            elif line.kind is not LineKind.TAX:
                acc.add_line(line)
    lines = energy_lines(acc)
    lines.extend(
        LineItem(LineKind.FIXED_FEE, version, count, DAY, fee, count * fee)
        for (version, fee), count in fixed.items()
    )
    for true_up in true_ups:
        lines.extend(true_up.lines)
    taxed, subtotal, tax = with_tax(lines, rates)
    intervals = tuple(item for s in statements for item in s.matched_intervals)
    claims = sorted(claim for s in statements for claim in s.certificates_claimed)
    return Bill(
        bill_id=bill_id_for(participant, period.start, period.end),
        participant=participant,
        period_start=period.start,
        period_end=period.end,
        currency=currencies.pop(),
        complete=all(statement.complete for statement in statements),
        intervals_total=sum(statement.intervals_total for statement in statements),
        intervals_settled=sum(statement.intervals_settled for statement in statements),
        missing_readings=tuple(item for s in statements for item in s.missing_readings),
        unsettled_intervals=tuple(item for s in statements for item in s.unsettled_intervals),
        lines=taxed,
        subtotal=subtotal,
        tax=tax,
        total=subtotal + tax,
        tariff_versions=tuple(
            sorted(
                {version for s in statements for version in s.tariff_versions}
                | {line.tariff_version for t in true_ups for line in t.lines}
            )
        ),
        matched_total=MatchedEnergy(
            period.start,
            sum(item.consumed_wh for item in intervals),
            sum(item.matched_wh for item in intervals),
        ),
        matched_intervals=intervals,
        matched_hours=tuple(item for s in statements for item in s.matched_hours),
        certificates_claimed=tuple(claims),
        inputs_hash=bill_inputs_hash(statements, true_ups),
        estimates=tuple(item for s in statements for item in s.estimates),
        revisions=tuple(Revision(t.day, t.revision) for t in true_ups),
    )


def bill_inputs_hash(statements: Sequence[Bill], true_ups: Sequence[TrueUp]) -> str:
    """SHA-256 (hex) over the inputs hashes of the day statements and of the revisions whose
    true-ups the bill carries (each of those covers every reading, trade, tariff and
    certificate of its day)."""
    return sha256_hex(
        canonical_json(
            {
                "format": BILL_INPUTS_FORMAT,
                "statements": [statement.inputs_hash for statement in statements],
                "true_ups": [true_up.to_json_dict() for true_up in true_ups],
            }
        )
    )
