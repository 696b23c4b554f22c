"""Which producer certificates still have Wh to give, per owner and interval.

A Buy backs its new trades with the seller's certificates of the offer's intervals. Reading the
certificate of every renewable meter of the seller for every interval costs meters x intervals
reads, most of them of certificates that do not exist or have nothing left. This index lists only
producer certificates (no ``trade_id``) that are ``active`` with Wh available, under simple keys

    ``energy.certificate_supply/<len(owner)>:<owner>/<interval start, 10 digits>/<meter id>``

whose value is the certificate's available Wh, so one range query over the offer's intervals
finds them, in interval then meter id order (the order of the meters' keys,
``energy.meter_by_owner``), and only the certificates a trade will draw on need to be read.
The owner's length makes the owner part unambiguous whatever characters it holds.
:class:`~.certificates.CertificateDesk` keeps the index with every certificate it saves.
"""

from __future__ import annotations

from gridledger_domain.records import Certificate

from gridledger_chaincode.energy.ledger.state import State

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


def supply_of(state: State, owner: str, start: int, end: int) -> dict[int, list[tuple[str, int]]]:
    """``owner``'s certificates with Wh to give in intervals ``start <= t < end``: per interval,
    (certificate id, available Wh) in meter id order. One range query."""
    prefix = _owner_prefix(owner)
    iterator = state.stub.get_state_by_range(f"{prefix}{start:010d}/", f"{prefix}{end:010d}/")
    try:
        found: dict[int, list[tuple[str, int]]] = {}
        for kv in iterator:
            instant_text, _, meter_id = kv.key[len(prefix) :].partition("/")
            instant = int(instant_text)
            found.setdefault(instant, []).append((f"{meter_id}:{instant}", int(kv.value)))
        return found
    finally:
        iterator.close()
