"""Which producer certificates still have Wh to give, per owner, UTC day and meter.

A Buy backs its new trades with the seller's certificates of the offer's intervals. Reading the
certificate of every renewable meter of the seller for every interval costs meters x intervals
reads, most of them of certificates that do not exist or have nothing left. This index lists only
producer certificates (no ``trade_id``) that are ``active`` with Wh available, under simple keys

    ``energy.certificate_supply_day/<len(owner)>:<owner>/<day number>/<meter id>!<interval start>``

(day number 7 digits, interval start 10)

whose value is the certificate's available Wh (``<Wh>/<minutes>`` for a certificate of a 30- or
60-minute meter interval, which backs the trades of every quarter-hour it covers). Within a day
the keys go meter by meter in meter id order (``!`` sorts below every character a meter id may
hold), each meter's certificates in time order. The owner's length makes the owner part
unambiguous whatever characters it holds. :class:`~.certificates.CertificateDesk` keeps the
index with every certificate it saves.

Reading it for an offer: one range query per UTC day, read row by row only until every wanted
quarter-hour of the day is covered: a trade draws on its interval's certificates in meter id
order, so the first meters' rows usually cover the whole day (96 rows a meter), and the rows read
stay within ``meters needed x 96`` a day, whatever the seller's other meters and history. (The
first layout, ``energy.certificate_supply/<owner>/<interval start>/<meter id>``, went interval by
interval and read every meter's row of each interval; :func:`migrate_supply` moves its entries.)
"""

from __future__ import annotations

from collections.abc import Iterable

from gridledger_domain.records import Certificate
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS, day_of

from gridledger_chaincode.energy.ledger.state import State

SUPPLY = "energy.certificate_supply_day/"
LEGACY_SUPPLY = "energy.certificate_supply/"
MIGRATE_ROWS = 2000  # legacy entries moved by one MigrateCertificateSupply


def _owner_prefix(root: str, owner: str) -> str:
    return f"{root}{len(owner)}:{owner}/"


def _day_prefix(owner: str, day: int) -> str:
    return f"{_owner_prefix(SUPPLY, owner)}{day // DAY_SECONDS:07d}/"


def supply_key(owner: str, interval_start: int, meter_id: str) -> str:
    return f"{_day_prefix(owner, day_of(interval_start))}{meter_id}!{interval_start:010d}"


def gives_supply(certificate: Certificate) -> bool:
    """Whether ``certificate`` belongs in the index: a producer's, with Wh left to transfer."""
    return not certificate.trade_id and certificate.available_wh > 0


def _value(available: int, minutes: int) -> bytes:
    return (
        f"{available}/{minutes}" if minutes * 60 != INTERVAL_SECONDS else str(available)
    ).encode()


def record_supply(state: State, certificate: Certificate) -> None:
    """Add or remove a producer certificate's entry as it is saved (buyers' certificates have
    none: they never back trades)."""
    if certificate.trade_id:
        return
    key = supply_key(certificate.owner, certificate.interval_start, certificate.meter_id)
    if gives_supply(certificate):
        state.stub.put_state(key, _value(certificate.available_wh, certificate.interval_minutes))
    else:
        state.stub.del_state(key)


def _drawn_in_day(
    state: State, owner: str, day: int, wanted: Iterable[int], wh: int
) -> dict[int, list[str]]:
    """Per wanted quarter-hour of ``day``, the certificates a trade of ``wh`` draws on: the first
    in meter id order whose Wh reach ``wh`` (all of them if they do not)."""
    need = dict.fromkeys(wanted, wh)
    drawn: dict[int, list[str]] = {instant: [] for instant in need}
    open_quarters = sum(1 for left in need.values() if left > 0)
    if not open_quarters:
        return drawn
    prefix = _day_prefix(owner, day)
    iterator = state.stub.get_state_by_range(prefix, f"{prefix}~")
    try:
        for kv in iterator:
            meter_id, _, start_text = kv.key[len(prefix) :].rpartition("!")
            start = int(start_text)
            available, _, minutes = bytes(kv.value).decode().partition("/")
            end = start + (int(minutes) * 60 if minutes else INTERVAL_SECONDS)
            for quarter in range(start, end, INTERVAL_SECONDS):
                left = need.get(quarter, 0)
                if left > 0:
                    drawn[quarter].append(f"{meter_id}:{start}")
                    need[quarter] = left - int(available)
                    if need[quarter] <= 0:
                        open_quarters -= 1
            if not open_quarters:
                break
    finally:
        iterator.close()
    return drawn


def drawn_supply(
    state: State, owner: str, intervals: Iterable[int], wh: int
) -> dict[int, list[str]]:
    """Per interval of ``intervals``, the ids of ``owner``'s certificates a trade of ``wh`` in it
    draws on, in meter id order (see the module's docstring for what is read)."""
    by_day: dict[int, list[int]] = {}
    for instant in intervals:
        by_day.setdefault(day_of(instant), []).append(instant)
    drawn: dict[int, list[str]] = {}
    for day in sorted(by_day):
        drawn.update(_drawn_in_day(state, owner, day, by_day[day], wh))
    return drawn


def migrate_supply(state: State, owner: str) -> dict[str, int | bool]:
    """Move up to ``MIGRATE_ROWS`` of ``owner``'s entries from the first layout into this one;
    ``more``: whether entries are left (call again)."""
    prefix = _owner_prefix(LEGACY_SUPPLY, owner)
    iterator = state.stub.get_state_by_range(prefix, f"{prefix}~")
    moved, more = 0, False
    try:
        for kv in iterator:
            if moved == MIGRATE_ROWS:
                more = True
                break
            start_text, _, meter_id = kv.key[len(prefix) :].partition("/")
            state.stub.put_state(supply_key(owner, int(start_text), meter_id), bytes(kv.value))
            state.stub.del_state(kv.key)
            moved += 1
    finally:
        iterator.close()
    return {"moved": moved, "more": more}
