"""Which producer certificates still have Wh to give, per owner and interval.

A Buy backs its new trades with the seller's certificates of the offer's intervals. Reading the
certificate of every renewable meter of the seller for every interval costs meters x intervals
reads, most of them of certificates that do not exist or have nothing left. This index lists only
producer certificates (no ``trade_id``) that are ``active`` with Wh available, under simple keys

    ``energy.certificate_supply/<len(owner)>:<owner>/<interval start, 10 digits>/<meter id>``

whose value is the certificate's available Wh (``<Wh>/<minutes>`` for a certificate of a 30- or
60-minute meter interval, which backs the trades of every quarter-hour it covers), in interval
then meter id order (the order of the
meters' keys, ``energy.meter_by_owner``), so only the certificates a trade draws on are loaded.
The owner's length makes the owner part unambiguous whatever characters it holds.
:class:`~.certificates.CertificateDesk` keeps the index with every certificate it saves.

Reading it for an offer: one range query per UTC day, read row by row; a day with more than
``DAY_ROWS`` rows (a seller with many meters holding unsold certificates) is finished interval
by interval, each query read only until the trade's quantity is covered. So the rows read stay
within ``days x DAY_ROWS + intervals x (certificates drawn on + 1)`` whatever the seller's
meters, and no query comes near Fabric's ``totalQueryLimit`` (which cuts answers short
silently). A query per interval from the start would cost a round trip to the peer each (672
for a week: about two seconds on the devnet, where one round trip costs as much as reading
about 40 rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gridledger_domain.records import Certificate
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS, day_of, hour_of

from gridledger_chaincode.energy.ledger.state import State

SUPPLY = "energy.certificate_supply/"
DAY_ROWS = 4000  # about 40 meters' full day: on the devnet, 40 rows cost one query's round trip


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
        value = str(certificate.available_wh)
        if certificate.interval_minutes != INTERVAL_SECONDS // 60:
            value += f"/{certificate.interval_minutes}"
        state.stub.put_state(key, value.encode())
    else:
        state.stub.del_state(key)


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


class _Rows:
    """(interval, certificate id, available Wh, interval end) of ``owner``'s entries in
    ``start <= t < end``, as a range query yields them."""

    def __init__(self, state: State, owner: str, start: int, end: int) -> None:
        self._prefix = _owner_prefix(owner)
        self._iterator = state.stub.get_state_by_range(
            f"{self._prefix}{start:010d}/", f"{self._prefix}{end:010d}/"
        )

    def __iter__(self) -> Iterator[tuple[int, str, int, int]]:
        cut = len(self._prefix)
        for kv in self._iterator:
            instant = int(kv.key[cut : cut + 10])
            meter_id = kv.key[cut + 11 :]  # after "<10 digits>/"
            available, _, minutes = bytes(kv.value).decode().partition("/")
            end = instant + (int(minutes) * 60 if minutes else INTERVAL_SECONDS)
            yield instant, f"{meter_id}:{instant}", int(available), end

    def close(self) -> None:
        self._iterator.close()


def _drawn_in_interval(state: State, owner: str, instant: int, wh: int) -> list[str]:
    """From the certificates covering the quarter-hour ``instant``: those starting in it, and
    those of longer meter intervals starting earlier in its hour."""
    rows = _Rows(state, owner, hour_of(instant), instant + INTERVAL_SECONDS)
    try:
        return drawn_on(((cid, available) for _, cid, available, end in rows if end > instant), wh)
    finally:
        rows.close()


Entry = tuple[str, int, int]
"""(certificate id, available Wh, interval end)."""


def _covering(entries: dict[int, list[Entry]], instant: int) -> list[tuple[str, int]]:
    """The entries covering the quarter-hour ``instant``, by interval start then meter id."""
    return [
        (cid, available)
        for start in range(hour_of(instant), instant + 1, INTERVAL_SECONDS)
        for cid, available, end in entries.get(start, [])
        if end > instant
    ]


def _drawn_in_day(
    state: State, owner: str, day: int, wanted: set[int], wh: int
) -> dict[int, list[str]]:
    entries: dict[int, list[Entry]] = {}
    finished_before = day + DAY_SECONDS  # intervals from here on are read one by one
    rows = _Rows(state, owner, day, day + DAY_SECONDS)
    try:
        for count, (instant, certificate_id, available, end) in enumerate(rows, 1):
            if count > DAY_ROWS:
                finished_before = instant
                break
            entries.setdefault(instant, []).append((certificate_id, available, end))
    finally:
        rows.close()
    drawn = {t: drawn_on(_covering(entries, t), wh) for t in wanted if t < finished_before}
    for instant in sorted(t for t in wanted if t >= finished_before):
        drawn[instant] = _drawn_in_interval(state, owner, instant, wh)
    return drawn


def drawn_supply(
    state: State, owner: str, intervals: Iterable[int], wh: int
) -> dict[int, list[str]]:
    """Per interval of ``intervals``, the ids of ``owner``'s certificates a trade of ``wh`` in it
    draws on, in meter id order (see the module's docstring for what is read)."""
    wanted = set(intervals)
    drawn: dict[int, list[str]] = {}
    for day in sorted({day_of(instant) for instant in wanted}):
        in_day = {t for t in wanted if day_of(t) == day}
        drawn.update(_drawn_in_day(state, owner, day, in_day, wh))
    return drawn
