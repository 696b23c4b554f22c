"""A household's private meter data: its salt, and its meters' readings by UTC day, in the
collection of its organisation (``mdata_<MSP>``, ``gridledger_domain.meter_data``).

Every key is ``HMAC-SHA256(salt, "<kind>|<meter>|<day or bucket>")`` (hex), the salt being the
household's, kept in the same collection under ``energy.salt/<participant id>``:

| kind | value |
| --- | --- |
| ``day`` | the meter's readings at instants of that UTC day (transport JSON, time order) |
| ``span`` | the meter's first and last reading instants |
| ``days`` | the day numbers of one block of 256 days holding readings (nearest-day lookups) |

and, per participant (subject: the participant id), its day statements (``statement``, per UTC
day) and bills (``bill``, per period ``<start>/<end>``); their public commitments are in the
state (``ledger.commitments``).

Only point reads (``GET_STATE``/``GET_STATE_MULTIPLE`` on the collection): Fabric refuses a
private range query in a transaction that writes. A day record is read, merged and written, so
two concurrent batches of one meter's same day conflict, as they should.
"""

from __future__ import annotations

import binascii
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gridledger_domain import MeterReading, SignedReading, format_utc, parse_utc
from gridledger_domain.canonical import canonical_json
from gridledger_domain.collections import meter_data_collection_name
from gridledger_domain.identifiers import split_participant_id
from gridledger_domain.meter_data import (
    DAY_INDEX,
    DAY_RECORD,
    SALT_BYTES,
    SALT_FIELD,
    SPAN,
    private_key,
)
from gridledger_domain.refusals import InvalidRequest, NotFound
from gridledger_domain.timeutil import DAY_SECONDS, day_of

from gridledger_chaincode.energy.ledger.state import METER, State

SALT_PREFIX = "energy.salt/"
BLOCK_DAYS = 256
"""Days per ``days`` index record."""

_DECODE = json.JSONDecoder().decode
_FIRST = json.JSONDecoder().raw_decode


def salt_key(participant_id: str) -> str:
    return f"{SALT_PREFIX}{participant_id}"


def household_collection(participant_id: str) -> str:
    return meter_data_collection_name(split_participant_id(participant_id)[0])


def store_salt(state: State, participant_id: str) -> None:
    """Keep the registering household's salt (transient ``salt``, 32 bytes) in its collection."""
    salt = state.stub.transient.get(SALT_FIELD, b"")
    if len(salt) != SALT_BYTES:
        raise InvalidRequest(
            f"registering a participant needs its {SALT_BYTES}-byte salt as transient data "
            f"{SALT_FIELD!r}, got {len(salt)} bytes (the client library adds it)"
        )
    state.stub.put_private_data(
        household_collection(participant_id), salt_key(participant_id), salt
    )


def signed_from_stored(data: Mapping[str, Any]) -> SignedReading:
    """A stored reading's transport form (checked in full when it was submitted: only rebuilt
    here, the fast way, since day closing rebuilds thousands; base64 unchecked)."""
    reading = MeterReading(
        data["meter_id"],
        parse_utc(data["interval_start"]),
        data["import_wh"],
        data["export_wh"],
        data.get("estimated", False),
    )
    return SignedReading(reading, binascii.a2b_base64(data["signature"]), data.get("signer", ""))


class ReadingStore:
    """The private meter data one transaction reads and writes (salts and day records read once
    and kept, writes seen by later reads of the same transaction)."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._owners: dict[str, str] = {}
        self._salts: dict[str, bytes] = {}
        self._days: dict[tuple[str, int], dict[int, SignedReading]] = {}

    # -- owners and salts ------------------------------------------------------------------------
    def know_owner(self, meter_id: str, owner: str) -> None:
        self._owners[meter_id] = owner

    def owner(self, meter_id: str) -> str:
        if meter_id not in self._owners:
            record = self.state.require_json(METER, meter_id, f"unknown meter {meter_id}")
            self._owners[meter_id] = str(record["owner"])
        return self._owners[meter_id]

    def _salt_of(self, owners: Iterable[str]) -> None:
        wanted = sorted(set(owners) - set(self._salts))
        by_collection: dict[str, list[str]] = defaultdict(list)
        for owner in wanted:
            by_collection[household_collection(owner)].append(owner)
        for collection, group in by_collection.items():
            raws = self.state.stub.get_multiple_private_data(
                collection, [salt_key(o) for o in group]
            )
            for owner, raw in zip(group, raws, strict=True):
                if not raw:
                    raise NotFound(
                        f"{owner} has no meter data salt in {collection} "
                        "(registered before private meter data?)"
                    )
                self._salts[owner] = bytes(raw)

    def _key(self, meter_id: str, kind: str, at: str) -> tuple[str, str]:
        owner = self.owner(meter_id)
        self._salt_of([owner])
        return household_collection(owner), private_key(self._salts[owner], kind, meter_id, at)

    def key_of(self, meter_id: str, kind: str, at: str) -> tuple[str, str]:
        """(collection, key) of the meter's private value ``kind`` at ``at``."""
        return self._key(meter_id, kind, at)

    def _get(self, wanted: Sequence[tuple[str, str, str]]) -> list[bytes]:
        """The values at (meter, kind, at) of ``wanted``, in order (one call per collection)."""
        self._salt_of({self.owner(meter_id) for meter_id, _, _ in wanted})
        keys = [self._key(*item) for item in wanted]
        by_collection: dict[str, list[int]] = defaultdict(list)
        for index, (collection, _) in enumerate(keys):
            by_collection[collection].append(index)
        found: list[bytes] = [b""] * len(keys)
        for collection, indexes in by_collection.items():
            raws = self.state.stub.get_multiple_private_data(
                collection, [keys[i][1] for i in indexes]
            )
            for index, raw in zip(indexes, raws, strict=True):
                found[index] = bytes(raw) if raw else b""
        return found

    def private_key_of(self, participant: str, kind: str, at: str) -> tuple[str, str]:
        """(collection, key) of the participant's own private value ``kind`` at ``at``."""
        self._salt_of([participant])
        key = private_key(self._salts[participant], kind, participant, at)
        return household_collection(participant), key

    def get_private(self, participant: str, kind: str, at: str) -> bytes:
        collection, key = self.private_key_of(participant, kind, at)
        return bytes(self.state.stub.get_private_data(collection, key) or b"")

    def put_private(self, participant: str, kind: str, at: str, value: bytes) -> None:
        collection, key = self.private_key_of(participant, kind, at)
        self.state.stub.put_private_data(collection, key, value)

    def _put(self, meter_id: str, kind: str, at: str, value: bytes) -> None:
        collection, key = self._key(meter_id, kind, at)
        self.state.stub.put_private_data(collection, key, value)

    # -- day records -----------------------------------------------------------------------------
    def days(
        self, wanted: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], dict[int, SignedReading]]:
        """The day records of (meter, UTC day) ``wanted``: the readings by instant."""
        pairs = list(dict.fromkeys(wanted))
        missing = [p for p in pairs if p not in self._days]
        if missing:
            raws = self._get([(m, DAY_RECORD, format_utc(d)) for m, d in missing])
            for pair, raw in zip(missing, raws, strict=True):
                readings = [signed_from_stored(x) for x in _DECODE(raw.decode())] if raw else []
                self._days[pair] = {s.reading.interval_start: s for s in readings}
        return {pair: self._days[pair] for pair in pairs}

    def first_readings(
        self, wanted: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], SignedReading]:
        """The earliest reading of each (meter, UTC day) record of ``wanted`` that holds one,
        rebuilt alone (a record is stored in time order: only its first element is decoded)."""
        pairs = list(dict.fromkeys(wanted))
        found: dict[tuple[str, int], SignedReading] = {}
        missing = []
        for pair in pairs:
            if pair in self._days:
                held = self._days[pair]
                if held:
                    found[pair] = held[min(held)]
            else:
                missing.append(pair)
        if missing:
            raws = self._get([(m, DAY_RECORD, format_utc(d)) for m, d in missing])
            for pair, raw in zip(missing, raws, strict=True):
                text = raw.decode() if raw else "[]"
                if text != "[]":
                    found[pair] = signed_from_stored(_FIRST(text, 1)[0])
        return found

    def day(self, meter_id: str, day: int) -> dict[int, SignedReading]:
        return self.days([(meter_id, day)])[(meter_id, day)]

    def at(self, meter_id: str, instants: Iterable[int]) -> dict[int, SignedReading]:
        """The stored readings of ``meter_id`` at ``instants``."""
        wanted = sorted(set(instants))
        records = self.days((meter_id, day_of(at)) for at in wanted)
        found = {}
        for at in wanted:
            signed = records[(meter_id, day_of(at))].get(at)
            if signed is not None:
                found[at] = signed
        return found

    def put_day(self, meter_id: str, day: int, readings: Mapping[int, SignedReading]) -> None:
        ordered = [readings[at].to_json_dict() for at in sorted(readings)]
        self._put(meter_id, DAY_RECORD, format_utc(day), canonical_json(ordered, checked=False))
        self._days[(meter_id, day)] = dict(readings)

    # -- spans -----------------------------------------------------------------------------------
    def spans(self, meter_ids: Sequence[str]) -> list[tuple[int, int] | None]:
        """(first, last) reading instants of each meter, None for a meter without readings."""
        spans: list[tuple[int, int] | None] = []
        for raw in self._get([(m, SPAN, "") for m in meter_ids]):
            record = _DECODE(raw.decode()) if raw else None
            spans.append(
                None if record is None else (parse_utc(record["first"]), parse_utc(record["last"]))
            )
        return spans

    def put_span(self, meter_id: str, first: int, last: int) -> None:
        value = canonical_json({"first": format_utc(first), "last": format_utc(last)})
        self._put(meter_id, SPAN, "", value)

    # -- which days hold readings ------------------------------------------------------------------
    def _blocks(self, meter_id: str, blocks: Sequence[int]) -> dict[int, list[int]]:
        raws = self._get([(meter_id, DAY_INDEX, str(b)) for b in blocks])
        return {
            b: _DECODE(raw.decode()) if raw else [] for b, raw in zip(blocks, raws, strict=True)
        }

    def index_block(self, meter_id: str, block: int) -> list[int]:
        """The day numbers of one block of the meter's index of days with readings."""
        return self._blocks(meter_id, [block])[block]

    def index_days(self, meter_id: str, days: Iterable[int]) -> None:
        """Add ``days`` (UTC midnights) to the meter's index of days with readings."""
        numbers = sorted({day // DAY_SECONDS for day in days})
        if not numbers:
            return
        blocks = sorted({n // BLOCK_DAYS for n in numbers})
        for block, held in self._blocks(meter_id, blocks).items():
            merged = sorted(set(held) | {n for n in numbers if n // BLOCK_DAYS == block})
            if merged != held:
                self._put(meter_id, DAY_INDEX, str(block), canonical_json(merged))

    def nearest(
        self, meter_id: str, instant: int, span: tuple[int, int] | None, *, after: bool
    ) -> SignedReading | None:
        """The stored reading nearest to ``instant``, strictly after or strictly before it:
        its day's record, else the index blocks between it and the meter's span end (point
        reads), then the nearest indexed day's record."""
        if span is None or (span[1] <= instant if after else span[0] >= instant):
            return None

        def closest(readings: Mapping[int, SignedReading]) -> SignedReading | None:
            near = [at for at in readings if (at > instant if after else at < instant)]
            return readings[min(near) if after else max(near)] if near else None

        day = day_of(instant)
        here = closest(self.day(meter_id, day))
        if here is not None:
            return here
        number = day // DAY_SECONDS
        end = day_of(span[1] if after else span[0]) // DAY_SECONDS
        low, high = sorted((number // BLOCK_DAYS, end // BLOCK_DAYS))
        index = self._blocks(meter_id, list(range(low, high + 1)))
        candidates = [
            n for held in index.values() for n in held if (n > number if after else n < number)
        ]
        if not candidates:
            return None
        chosen = (min(candidates) if after else max(candidates)) * DAY_SECONDS
        return closest(self.day(meter_id, chosen))
