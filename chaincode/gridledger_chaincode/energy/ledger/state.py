"""State layout: composite keys of the energy contract and JSON records under them.

| object type | attributes | value |
| --- | --- | --- |
| ``energy.participant`` | participant id | Participant JSON |
| ``energy.meter`` | meter id | Meter JSON |
| ``energy.meter_by_owner`` | owner, meter id | ``1`` |
| ``energy.data_custodian`` | custodian id | DataCustodian JSON |
| ``energy.offer`` | offer id | Offer JSON |
| ``energy.open_offer`` | UTC day, price (zero-padded), offer id | ``1`` while the offer is open |
| ``energy.trade`` | trade id | Trade JSON |
| ``energy.trade_by_party`` | participant, UTC day, trade id | ``buyer`` or ``seller`` |
| ``energy.tariff`` | version (6 digits) | Tariff JSON |
| ``energy.day_statement`` | participant, UTC day | commitment to the private one-day bill |
| ``energy.revision_due`` | participant, UTC day | ``1``: actual readings came for estimates |
| ``energy.day_revision`` | participant, UTC day, revision (3 digits) | commitment: revision |
| ``energy.true_up`` | participant, UTC day, revision | commitment: true-up lines |
| ``energy.true_up_unbilled`` | participant, UTC day, revision | ``1`` until a bill carries it |
| ``energy.bill`` | participant, period start, period end | commitment to the private bill |
| ``energy.billed_through`` | participant | end of the last settled period |
| ``energy.settled_through`` | ``all`` | latest end of any period settled before day statements |
| ``energy.certificate`` | certificate id | Certificate JSON |
| ``energy.certificate_by_owner`` | owner, UTC day, certificate id | ``1`` |
| ``energy.certificate_by_trade`` | trade id, certificate id | Wh |

A household's readings are not in the public state: its meters' day records, spans and day
indexes are in its organisation's private data collection under salted keys (see
``ledger.meter_data``).
Which UTC days were closed for anyone, ``energy.closed_day/<day number>`` (value ``1``, written
without being read, so concurrent closings never conflict), lets a tariff change find the
latest closed day with one range query (see ``ledger.statements``).
Producer certificates with Wh left to transfer are listed by owner, UTC day and meter under
``energy.certificate_supply_day/<len(owner)>:<owner>/<day number>/<meter id>!<interval start>``
(value: the Wh left), for range queries over an offer's days (see ``ledger.certificate_supply``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from gridledger_domain import format_utc
from gridledger_domain.refusals import NotFound
from gridledger_domain.timeutil import day_of

PARTICIPANT = "energy.participant"
METER = "energy.meter"
METER_BY_OWNER = "energy.meter_by_owner"
CUSTODIAN = "energy.data_custodian"
OFFER = "energy.offer"
OPEN_OFFER = "energy.open_offer"
TRADE = "energy.trade"
TRADE_BY_PARTY = "energy.trade_by_party"
TARIFF = "energy.tariff"
DAY_STATEMENT = "energy.day_statement"
REVISION_DUE = "energy.revision_due"
DAY_REVISION = "energy.day_revision"
TRUE_UP = "energy.true_up"
TRUE_UP_UNBILLED = "energy.true_up_unbilled"
BILL = "energy.bill"
BILLED_THROUGH = "energy.billed_through"
SETTLED_THROUGH = "energy.settled_through"
CERTIFICATE = "energy.certificate"
CERTIFICATE_BY_OWNER = "energy.certificate_by_owner"
CERTIFICATE_BY_TRADE = "energy.certificate_by_trade"


class KeyValue(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def value(self) -> bytes: ...


class StateIterator(Protocol):
    def __iter__(self) -> Iterator[Any]: ...

    def close(self) -> None: ...


class Identity(Protocol):
    """The transaction creator, as the shim's ClientIdentity exposes it."""

    @property
    def msp_id(self) -> str: ...

    @property
    def subject(self) -> str: ...

    def get_attribute_value(self, name: str) -> str | None: ...


class StateStub(Protocol):
    """The part of the chaincode stub the energy contract uses."""

    @property
    def tx_id(self) -> str: ...

    @property
    def tx_timestamp(self) -> datetime: ...

    @property
    def creator(self) -> Any: ...

    def get_state(self, key: str) -> bytes: ...

    def get_multiple_states(self, keys: Sequence[str]) -> list[bytes]: ...

    def put_state(self, key: str, value: bytes) -> None: ...

    def del_state(self, key: str) -> None: ...

    def get_state_by_partial_composite_key(
        self, object_type: str, attributes: Sequence[str]
    ) -> Any: ...

    def get_state_by_partial_composite_key_with_pagination(
        self, object_type: str, attributes: Sequence[str], page_size: int, bookmark: str = ""
    ) -> tuple[Any, Any]: ...

    def get_state_by_range(self, start_key: str, end_key: str) -> Any: ...

    def create_composite_key(self, object_type: str, attributes: Sequence[str]) -> str: ...

    def split_composite_key(self, composite_key: str) -> tuple[str, list[str]]: ...

    def set_event(self, name: str, payload: bytes) -> None: ...

    @property
    def transient(self) -> Any: ...

    def get_private_data(self, collection: str, key: str) -> bytes: ...

    def get_private_data_hash(self, collection: str, key: str) -> bytes: ...

    def get_multiple_private_data(self, collection: str, keys: Sequence[str]) -> list[bytes]: ...

    def put_private_data(self, collection: str, key: str, value: bytes) -> None: ...

    def purge_private_data(self, collection: str, key: str) -> None: ...

    def set_state_validation_parameter(self, key: str, policy: bytes) -> None: ...


def day_text(instant: int) -> str:
    """The UTC day of ``instant`` as it appears in keys (its midnight, ``...T00:00:00Z``)."""
    return format_utc(day_of(instant))


def encode(value: Any) -> bytes:
    """Compact, key-sorted JSON: the same record always has the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class State:
    """Typed access to the contract's keys over a :class:`StateStub`."""

    def __init__(self, stub: StateStub) -> None:
        self.stub = stub

    def key(self, object_type: str, *attributes: str) -> str:
        return self.stub.create_composite_key(object_type, list(attributes))

    def get_json(self, object_type: str, *attributes: str) -> dict[str, Any] | None:
        raw = self.stub.get_state(self.key(object_type, *attributes))
        if not raw:
            return None
        value: dict[str, Any] = json.loads(raw)
        return value

    def require_json(self, object_type: str, record_id: str, missing: str) -> dict[str, Any]:
        """The record ``record_id`` of ``object_type``; a :class:`NotFound` saying ``missing``
        when there is none."""
        record = self.get_json(object_type, record_id)
        if record is None:
            raise NotFound(missing)
        return record

    def get_raw(self, object_type: str, *attributes: str) -> bytes:
        return self.stub.get_state(self.key(object_type, *attributes))

    def put_json(self, object_type: str, attributes: Sequence[str], value: Any) -> None:
        self.stub.put_state(self.key(object_type, *attributes), encode(value))

    def endorse_key_by(self, object_type: str, attributes: Sequence[str], policy: bytes) -> None:
        """Key-level endorsement: later writes of this key need ``policy`` (a serialised
        SignaturePolicyEnvelope) instead of the chaincode's (docs/endorsement.md)."""
        self.stub.set_state_validation_parameter(self.key(object_type, *attributes), policy)

    def put_raw(self, object_type: str, attributes: Sequence[str], value: bytes) -> None:
        self.stub.put_state(self.key(object_type, *attributes), value)

    def scan(self, object_type: str, *attributes: str) -> list[tuple[list[str], bytes]]:
        """Every (attributes, value) under a partial composite key, in key order."""
        iterator = self.stub.get_state_by_partial_composite_key(object_type, list(attributes))
        try:
            found = []
            for kv in iterator:
                _, parts = self.stub.split_composite_key(kv.key)
                found.append((parts, bytes(kv.value)))
            return found
        finally:
            iterator.close()

    def delete(self, object_type: str, *attributes: str) -> None:
        self.stub.del_state(self.key(object_type, *attributes))

    def scan_page(
        self, object_type: str, attributes: Sequence[str], size: int, bookmark: str
    ) -> tuple[list[tuple[list[str], bytes]], str]:
        """At most ``size`` (attributes, value) under a partial composite key from ``bookmark``
        (Fabric's paged range query), and the bookmark of the next page (empty after the last)."""
        iterator, metadata = self.stub.get_state_by_partial_composite_key_with_pagination(
            object_type, list(attributes), size, bookmark
        )
        try:
            found = []
            for kv in iterator:
                _, parts = self.stub.split_composite_key(kv.key)
                found.append((parts, bytes(kv.value)))
        finally:
            iterator.close()
        return found, str(metadata.bookmark) if len(found) == size else ""

    def follow_index(
        self, object_type: str, rows: Iterable[tuple[list[str], bytes]], id_at: int
    ) -> list[dict[str, Any]]:
        """The records of ``object_type`` that index ``rows`` point to (the id is attribute
        ``id_at`` of each row), in the rows' order, read in one call; a row pointing to no
        record is passed over."""
        keys = [self.key(object_type, parts[id_at]) for parts, _ in rows]
        return [json.loads(raw) for raw in self.stub.get_multiple_states(keys) if raw]

    def scan_first(
        self, object_type: str, attributes: Sequence[str], limit: int
    ) -> list[tuple[list[str], bytes]]:
        """At most ``limit`` rows under a partial composite key, in key order (usable in
        transactions that write, where Fabric refuses paged queries)."""
        iterator = self.stub.get_state_by_partial_composite_key(object_type, list(attributes))
        found: list[tuple[list[str], bytes]] = []
        try:
            for kv in iterator:
                if len(found) == limit:
                    break
                _, parts = self.stub.split_composite_key(kv.key)
                found.append((parts, bytes(kv.value)))
        finally:
            iterator.close()
        return found

    def scan_json(self, object_type: str, *attributes: str) -> list[dict[str, Any]]:
        return [json.loads(value) for _, value in self.scan(object_type, *attributes)]

    def scan_days(
        self, object_type: str, prefix: Sequence[str], days: Iterable[int]
    ) -> list[tuple[list[str], bytes]]:
        found: list[tuple[list[str], bytes]] = []
        for day in days:
            found.extend(self.scan(object_type, *prefix, format_utc(day)))
        return found

    def tx_instant(self) -> int:
        return int(self.stub.tx_timestamp.timestamp())
