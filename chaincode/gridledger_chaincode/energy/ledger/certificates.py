"""Certificates on the ledger: issued when a reading closes a renewable interval, transferred
to the seller's trades of that interval, listed per owner, retired by settlement.

A transaction does not read its own writes (Fabric), so a :class:`CertificateDesk` keeps what
this transaction already issued and transferred."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from gridledger_domain import INTERVAL_SECONDS, MeterReading
from gridledger_domain.records import Certificate, Meter, Trade

from gridledger_chaincode.energy.certificates import issue_certificate, transfer_to_trades
from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.certificate_supply import (
    drawn_supply,
    migrate_supply,
    record_supply,
)
from gridledger_chaincode.energy.ledger.closing import ClosedDays
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.state import (
    CERTIFICATE,
    CERTIFICATE_BY_OWNER,
    CERTIFICATE_BY_TRADE,
    TRADE,
    TRADE_BY_PARTY,
    State,
    day_text,
)


class CertificateDesk:
    def __init__(self, state: State) -> None:
        self.state = state
        self.written: dict[str, Certificate] = {}
        self.backed_extra: dict[str, int] = defaultdict(int)
        self.issued = 0
        # Reads repeated for every interval of a batch, done once per transaction instead.
        self._sold: dict[tuple[str, str], dict[int, list[Trade]]] = {}
        self.closed_days = ClosedDays(state)

    def load(self, certificate_id: str) -> Certificate | None:
        if certificate_id in self.written:
            return self.written[certificate_id]
        record = self.state.get_json(CERTIFICATE, certificate_id)
        return Certificate.from_json_dict(record) if record is not None else None

    def save(self, certificate: Certificate, *, indexed: bool = False) -> None:
        """Write ``certificate`` and its index entries; ``indexed``: an update of a certificate
        already saved, whose owner and trade index entries (which never change) are kept."""
        self.written[certificate.certificate_id] = certificate
        self.state.put_json(CERTIFICATE, [certificate.certificate_id], certificate.to_json_dict())
        record_supply(self.state, certificate)
        if indexed:
            return
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

    def _transfer(
        self, certificate: Certificate, trades: Iterable[Trade], *, stored_backing: bool = True
    ) -> None:
        eligible = [t for t in trades if not self.closed_days.closed(t.buyer, t.interval_start)]
        certificate = self.written.get(certificate.certificate_id, certificate)
        if not eligible or certificate.available_wh == 0:
            return
        backed = {
            t.trade_id: self.backed(t.trade_id) if stored_backing else self.backed_extra[t.trade_id]
            for t in eligible
        }
        updated, children = transfer_to_trades(certificate, eligible, backed)
        for child in children:
            self.backed_extra[child.trade_id] += child.wh
            self.save(child)
        if updated != certificate:
            self.save(updated, indexed=True)

    def issue(self, meter: Meter, opening: MeterReading, closing: MeterReading) -> None:
        """Issue the interval's certificate (once) and pass it on to the seller's trades."""
        certificate = issue_certificate(meter, opening, closing)
        if certificate is None or self.load(certificate.certificate_id) is not None:
            return
        self.issued += 1
        self.save(certificate)
        sold = [
            trade
            for instant in range(
                certificate.interval_start, certificate.interval_end, INTERVAL_SECONDS
            )
            for trade in self._trades_sold(meter.owner, instant)
        ]
        self._transfer(certificate, sold)

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

    def back_new_trades(self, trades: Sequence[Trade]) -> None:
        """Back the trades one Buy just created (one seller, one quantity, one trade per
        interval) with the seller's certificates of their intervals that still have Wh to give,
        each trade from its interval's certificates in meter id order, as far as its quantity
        goes.

        One range query of ``certificate_supply`` per UTC day of the offer, read only until the
        day's trades are covered, then one batched read of the certificates drawn on: the work
        follows the offer's intervals, not the seller's meters or history. A new trade has no
        stored backing yet."""
        if not trades:
            return
        first = trades[0]
        intervals = [t.interval_start for t in trades]
        supply = drawn_supply(self.state, first.seller, intervals, first.quantity_wh)
        drawn = [(trade, supply[trade.interval_start]) for trade in trades]
        wanted = [certificate_id for _, ids in drawn for certificate_id in ids]
        keys = [self.state.key(CERTIFICATE, certificate_id) for certificate_id in wanted]
        loaded = {
            certificate_id: Certificate.from_json_dict(json.loads(raw))
            for certificate_id, raw in zip(
                wanted, self.state.stub.get_multiple_states(keys), strict=True
            )
            if raw
        }
        for trade, ids in drawn:
            for certificate_id in ids:
                if certificate_id in loaded:
                    self._transfer(loaded[certificate_id], [trade], stored_backing=False)


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


def migrate_certificate_supply(state: State, caller: Caller, owner: str) -> dict[str, Any]:
    """Utility only: see :func:`~.certificate_supply.migrate_supply`."""
    caller.require_utility("migrate the certificate supply index")
    return {"owner": owner, **migrate_supply(state, owner)}
