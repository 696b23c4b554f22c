"""Certificates on the ledger: issued when a reading closes a renewable interval, transferred
to the seller's trades of that interval, listed per owner, retired by settlement.

A transaction does not read its own writes (Fabric), so a :class:`CertificateDesk` keeps what
this transaction already issued and transferred."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from gridledger_domain import MeterReading, parse_utc
from gridledger_domain.records import Certificate, Meter, Trade
from gridledger_domain.vocabulary import CertificateStatus

from gridledger_chaincode.energy.certificates import issue_certificate, transfer_to_trades
from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.state import (
    BILLED_THROUGH,
    CERTIFICATE,
    CERTIFICATE_BY_OWNER,
    CERTIFICATE_BY_TRADE,
    TRADE,
    TRADE_BY_PARTY,
    State,
    day_text,
)


def billed_through(state: State, participant: str) -> int:
    """End of the participant's last settled period (0 if none)."""
    raw = state.get_raw(BILLED_THROUGH, participant)
    return parse_utc(raw.decode()) if raw else 0


class CertificateDesk:
    def __init__(self, state: State) -> None:
        self.state = state
        self.written: dict[str, Certificate] = {}
        self.backed_extra: dict[str, int] = defaultdict(int)
        self.issued = 0
        # Reads repeated for every interval of a batch, done once per transaction instead.
        self._sold: dict[tuple[str, str], dict[int, list[Trade]]] = {}
        self._billed_through: dict[str, int] = {}

    def load(self, certificate_id: str) -> Certificate | None:
        if certificate_id in self.written:
            return self.written[certificate_id]
        record = self.state.get_json(CERTIFICATE, certificate_id)
        return Certificate.from_json_dict(record) if record is not None else None

    def save(self, certificate: Certificate) -> None:
        self.written[certificate.certificate_id] = certificate
        self.state.put_json(CERTIFICATE, [certificate.certificate_id], certificate.to_json_dict())
        day = day_text(certificate.interval_start)
        self.state.put_raw(
            CERTIFICATE_BY_OWNER, [certificate.owner, day, certificate.certificate_id], b"1"
        )
        if certificate.trade_id:
            self.state.put_raw(
                CERTIFICATE_BY_TRADE,
                [certificate.trade_id, certificate.certificate_id],
                str(certificate.wh).encode(),
            )

    def backed(self, trade_id: str) -> int:
        stored = sum(int(value) for _, value in self.state.scan(CERTIFICATE_BY_TRADE, trade_id))
        return stored + self.backed_extra[trade_id]

    def _transfer(self, certificate: Certificate, trades: Iterable[Trade]) -> None:
        eligible = [t for t in trades if self._billed(t.buyer) <= t.interval_start]
        if not eligible or certificate.available_wh == 0:
            return
        backed = {t.trade_id: self.backed(t.trade_id) for t in eligible}
        updated, children = transfer_to_trades(certificate, eligible, backed)
        for child in children:
            self.backed_extra[child.trade_id] += child.wh
            self.save(child)
        if updated != certificate:
            self.save(updated)

    def issue(self, meter: Meter, opening: MeterReading, closing: MeterReading) -> None:
        """Issue the interval's certificate (once) and pass it on to the seller's trades."""
        certificate = issue_certificate(meter, opening, closing)
        if certificate is None or self.load(certificate.certificate_id) is not None:
            return
        self.issued += 1
        self.save(certificate)
        self._transfer(certificate, self._trades_sold(meter.owner, opening.interval_start))

    def _billed(self, participant: str) -> int:
        if participant not in self._billed_through:
            self._billed_through[participant] = billed_through(self.state, participant)
        return self._billed_through[participant]

    def _trades_sold(self, seller: str, instant: int) -> list[Trade]:
        """The seller's trades for the interval starting at ``instant``. The seller's trades of
        the whole UTC day are read once per transaction (readings do not create trades)."""
        day = day_text(instant)
        if (seller, day) not in self._sold:
            sales = [
                row for row in self.state.scan(TRADE_BY_PARTY, seller, day) if row[1] == b"seller"
            ]
            by_interval: dict[int, list[Trade]] = defaultdict(list)
            for record in self.state.follow_index(TRADE, sales, 2):
                trade = Trade.from_json_dict(record)
                by_interval[trade.interval_start].append(trade)
            self._sold[(seller, day)] = by_interval
        return list(self._sold[(seller, day)].get(instant, []))

    def back_new_trades(self, trades: Iterable[Trade], seller_meters: Iterable[Meter]) -> None:
        """Back trades just created with the seller's certificates of their intervals."""
        renewable = [meter for meter in seller_meters if meter.renewable]
        for trade in trades:
            for meter in renewable:
                certificate = self.load(f"{meter.meter_id}:{trade.interval_start}")
                if certificate is not None and certificate.status is CertificateStatus.ACTIVE:
                    self._transfer(certificate, [trade])


def certificates_of(state: State, owner: str, days: Iterable[int]) -> list[Certificate]:
    rows = state.scan_days(CERTIFICATE_BY_OWNER, [owner], days)
    return [Certificate.from_json_dict(r) for r in state.follow_index(CERTIFICATE, rows, 2)]


def list_certificates(
    state: State, caller: Caller, owner: str, request: PageRequest
) -> dict[str, Any]:
    """One page of an owner's certificates, by interval day then certificate id."""
    caller.require_reader_of(owner, f"the certificates of {owner}")
    rows, bookmark = state.scan_page(CERTIFICATE_BY_OWNER, [owner], request.size, request.bookmark)
    return page_answer(state.follow_index(CERTIFICATE, rows, 2), bookmark)
