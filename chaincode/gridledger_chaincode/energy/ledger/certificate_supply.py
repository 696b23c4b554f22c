"""Which producer certificates still have Wh to give, per owner and interval.

A Buy backs its new trades with the seller's certificates of the offer's intervals. Reading the
certificate of every renewable meter of the seller for every interval costs meters x intervals
reads, most of them of certificates that do not exist or have nothing left. This index lists only
producer certificates (no ``trade_id``) that are ``active`` with Wh available, under simple keys

    ``energy.certificate_supply/<len(owner)>:<owner>/<interval start, 10 digits>/<meter id>``

whose value is the certificate's available Wh, so one range query per UTC day finds them, by
interval then meter id (the order of the meters' keys, ``energy.meter_by_owner``), and only the
certificates a trade draws on are loaded. A range query per interval would cost a round trip to
the peer each (672 for a week: a second on the devnet); one over a whole offer could exceed
Fabric's ``totalQueryLimit`` (100,000 rows by default), which cuts an answer short silently. A
day holds at most 96 x the owner's meters rows; a day answering ``DAY_ROWS_CHECKED`` rows or
more is read again interval by interval, so no limit can hide a certificate.
The owner's length makes the owner part unambiguous whatever characters it holds.
:class:`~.certificates.CertificateDesk` keeps the index with every certificate it saves.
"""

from __future__ import annotations

from collections.abc import Iterable

from gridledger_domain.records import Certificate
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS, day_of

from gridledger_chaincode.energy.ledger.state import State

DAY_ROWS_CHECKED = 50_000

SUPPLY = "energy.certificate_supply/"


def _owner_prefix(owner: str) -> str:
    return f"{SUPPLY}{len(owner)}:{owner}/"


def supply_key(owner: str, interval_start: int, meter_id: str) -> str:
    return f"{_owner_prefix(owner)}{interval_start:010d}/{meter_id}"


def gives_supply(certificate: Certificate) -> bool:
    """Whether ``certificate`` belongs in the index: a producer's, with Wh left to transfer."""
    return not certificate.trade_id and certificate.available_wh > 0


def record_supply(state: State, certificate: Certificate) -> None:
    """Add or remove a producer certificate's entry as it is saved (buyers' certificates have
    none: they never back trades)."""
    if certificate.trade_id:
        return
    key = supply_key(certificate.owner, certificate.interval_start, certificate.meter_id)
    if gives_supply(certificate):
        state.stub.put_state(key, str(certificate.available_wh).encode())
    else:
        state.stub.del_state(key)


Supply = dict[int, list[tuple[str, int]]]


def _read_range(state: State, owner: str, start: int, end: int, into: Supply) -> int:
    """Add ``owner``'s entries for intervals ``start <= t < end`` to ``into``; the rows read."""
    prefix = _owner_prefix(owner)
    iterator = state.stub.get_state_by_range(f"{prefix}{start:010d}/", f"{prefix}{end:010d}/")
    try:
        rows = 0
        for kv in iterator:
            rows += 1
            instant = int(kv.key[len(prefix) : len(prefix) + 10])
            meter_id = kv.key[len(prefix) + 11 :]  # after "<10 digits>/"
            into.setdefault(instant, []).append((f"{meter_id}:{instant}", int(kv.value)))
        return rows
    finally:
        iterator.close()


def supply_in(state: State, owner: str, intervals: Iterable[int]) -> Supply:
    """``owner``'s certificates with Wh to give in ``intervals``: per interval, (certificate
    id, available Wh) in meter id order. One range query per UTC day of the intervals."""
    wanted = set(intervals)
    found: Supply = {}
    for day in sorted({day_of(instant) for instant in wanted}):
        day_supply: Supply = {}
        if _read_range(state, owner, day, day + DAY_SECONDS, day_supply) >= DAY_ROWS_CHECKED:
            day_supply = {}
            for instant in range(day, day + DAY_SECONDS, INTERVAL_SECONDS):
                if instant in wanted:
                    _read_range(state, owner, instant, instant + 1, day_supply)
        found.update((t, entries) for t, entries in day_supply.items() if t in wanted)
    return found


def drawn_on(entries: Iterable[tuple[str, int]], wh: int) -> list[str]:
    """The certificates a trade of ``wh`` draws on: the first ``entries`` (id, available Wh)
    whose Wh reach ``wh``, or all of them if they do not."""
    ids: list[str] = []
    covered = 0
    for certificate_id, available in entries:
        if covered >= wh:
            break
        ids.append(certificate_id)
        covered += available
    return ids
