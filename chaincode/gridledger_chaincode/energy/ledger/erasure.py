"""Erasing a household's private meter data on request (``ListHouseholdData``,
``EraseHousehold``; docs/private-data.md, "Erasure").

``ListHouseholdData`` (read-only, utility only, on a member's peer) pages through what the
household holds in its collection and answers descriptors ``{kind, subject, at}``
(``gridledger_domain.erasure``), never values: per meter of the household (public
``energy.meter_by_owner``, one after the other), the days of each index block of its span
(``day``), the block (``days``), then its ``span``; then the participant's day statements,
revisions and true-ups (from their public commitments), and with bills included its bills and
last its salt. Only values still held are listed (a private value's hash, point reads), so a
listing after a partial erasure lists what is left. A page holds at most ``size`` descriptors
(a block's days are not split: a page may start with one block of up to 257) and 16 meters;
its bookmark (JSON: phase, Fabric bookmark, next block, last block) is the next page's start.

``EraseHousehold`` (utility only; the collection's endorsement policy makes both members' peers
endorse) takes up to ``MAX_ERASE_BATCH`` descriptors as transient data, derives each key from
the household's salt and purges the values still held (``PurgePrivateData``); bills and the
salt only when bills are included, the salt last. It answers the purged keys (the HMAC keys
reveal nothing without the salt; after the salt is gone nobody can derive them again, so the
receipt needs them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gridledger_domain import format_utc, parse_utc
from gridledger_domain.erasure import (
    DESCRIPTORS_FIELD,
    MAX_ERASE_BATCH,
    METER_KINDS,
    PARTICIPANT_KINDS,
    RETAINED_KINDS,
)
from gridledger_domain.meter_data import (
    BILL_KIND,
    DAY_INDEX,
    DAY_RECORD,
    REVISION,
    SALT_KIND,
    SPAN,
    STATEMENT,
    TRUE_UP_KIND,
)
from gridledger_domain.refusals import InvalidRequest, NotFound
from gridledger_domain.timeutil import DAY_SECONDS, day_of

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.meter_data import (
    BLOCK_DAYS,
    ReadingStore,
    household_collection,
    salt_key,
)
from gridledger_chaincode.energy.ledger.paging import page_request
from gridledger_chaincode.energy.ledger.participants import load_participant
from gridledger_chaincode.energy.ledger.state import (
    BILL,
    DAY_REVISION,
    DAY_STATEMENT,
    METER_BY_OWNER,
    TRUE_UP,
    State,
)
from gridledger_chaincode.energy.ledger.transient import transient_array

MAX_METERS_PER_PAGE = 16

_COMMITTED = ((STATEMENT, DAY_STATEMENT), (REVISION, DAY_REVISION), (TRUE_UP_KIND, TRUE_UP))
_PHASES = ("meters", STATEMENT, REVISION, TRUE_UP_KIND, BILL_KIND, SALT_KIND)
_REVISION_AT = re.compile(r"^(.+)/(\d{3})$")


def _descriptor(kind: str, subject: str, at: str) -> dict[str, str]:
    return {"kind": kind, "subject": subject, "at": at}


@dataclass
class _Cursor:
    phase: str = "meters"
    bookmark: str = ""  # Fabric's bookmark of the phase's scan
    block: int = -1  # meters: the next index block of the current meter (-1: not started)
    high: int = -1  # meters: the current meter's last index block

    @classmethod
    def parse(cls, text: str) -> _Cursor:
        if not text:
            return cls()
        try:
            data = json.loads(text)
            cursor = cls(
                str(data["phase"]), str(data["bookmark"]), int(data["block"]), int(data["high"])
            )
        except (ValueError, KeyError, TypeError):
            raise InvalidRequest(
                "invalid bookmark (give the one the previous page answered)"
            ) from None
        if cursor.phase not in _PHASES:
            raise InvalidRequest(f"invalid bookmark phase {cursor.phase!r}")
        return cursor

    def text(self) -> str:
        fields = {"phase": self.phase, "bookmark": self.bookmark}
        return json.dumps(
            {**fields, "block": self.block, "high": self.high},
            sort_keys=True,
            separators=(",", ":"),
        )


class _Lister:
    def __init__(self, state: State, participant: str, include_bills: bool, size: int) -> None:
        self.state = state
        self.store = ReadingStore(state)
        self.participant = participant
        self.phases = _PHASES if include_bills else _PHASES[:4]
        self.size = size
        self.items: list[dict[str, str]] = []
        self.meters = 0

    def full(self, more: int = 1) -> bool:
        return bool(self.items) and len(self.items) + more > self.size

    def held(self, kind: str, at: str) -> bool:
        collection, key = self.store.private_key_of(self.participant, kind, at)
        return bool(self.state.stub.get_private_data_hash(collection, key))

    def run(self, cursor: _Cursor) -> str:
        """Fill the page from ``cursor``; the next page's bookmark ("" after the last)."""
        while True:
            if cursor.phase == "meters":
                done = self.meter_phase(cursor)
            elif cursor.phase == SALT_KIND:
                if self.full():
                    return cursor.text()
                if self.state.stub.get_private_data(
                    household_collection(self.participant), salt_key(self.participant)
                ):
                    self.items.append(_descriptor(SALT_KIND, self.participant, ""))
                done = True
            else:
                done = self.committed_phase(cursor)
            if not done:
                return cursor.text()
            following = self.phases.index(cursor.phase) + 1
            if following == len(self.phases):
                return ""
            cursor = _Cursor(self.phases[following])

    def committed_phase(self, cursor: _Cursor) -> bool:
        kind = cursor.phase
        object_type = dict(_COMMITTED).get(kind, BILL)
        while not self.full():
            want = self.size - len(self.items)
            rows, bookmark = self.state.scan_page(
                object_type, [self.participant], want, cursor.bookmark
            )
            for parts, _ in rows:
                at = "/".join(parts[1:])  # day, day/revision or period start/end
                if self.held(kind, at):
                    self.items.append(_descriptor(kind, self.participant, at))
            cursor.bookmark = bookmark
            if not bookmark:
                return True
        return False

    def meter_phase(self, cursor: _Cursor) -> bool:
        while self.meters < MAX_METERS_PER_PAGE and not self.full():
            rows, following = self.state.scan_page(
                METER_BY_OWNER, [self.participant], 1, cursor.bookmark
            )
            if not rows:
                return True
            meter_id = rows[0][0][1]
            self.store.know_owner(meter_id, self.participant)
            if cursor.block < 0:
                (span,) = self.store.spans([meter_id])
                if span is None:  # no readings, or erased
                    cursor.bookmark, cursor.block, cursor.high = following, -1, -1
                    if not following:
                        return True
                    continue
                cursor.block = day_of(span[0]) // DAY_SECONDS // BLOCK_DAYS
                cursor.high = day_of(span[1]) // DAY_SECONDS // BLOCK_DAYS
            while cursor.block <= cursor.high:
                held = self.store.index_block(meter_id, cursor.block)
                if self.full(len(held) + 1):
                    return False
                for number in held:
                    self.items.append(
                        _descriptor(DAY_RECORD, meter_id, format_utc(number * DAY_SECONDS))
                    )
                if held:
                    self.items.append(_descriptor(DAY_INDEX, meter_id, str(cursor.block)))
                cursor.block += 1
            if self.full():
                return False
            self.items.append(_descriptor(SPAN, meter_id, ""))
            self.meters += 1
            cursor.bookmark, cursor.block, cursor.high = following, -1, -1
            if not following:
                return True
        return False


def list_household_data(
    state: State, caller: Caller, participant: str, include_bills: bool, page: Sequence[str]
) -> dict[str, Any]:
    """One page of descriptors of the household's private values (see the module's doc);
    ``page``: the optional page size and bookmark."""
    caller.require_utility("list a household's data for erasure")
    request = page_request(page)
    load_participant(state, participant)
    lister = _Lister(state, participant, include_bills, request.size)
    bookmark = lister.run(_Cursor.parse(request.bookmark))
    return {
        "participant": participant,
        "collection": household_collection(participant),
        "items": lister.items,
        "bookmark": bookmark,
        "count": len(lister.items),
    }


def _transient_descriptors(state: State, count_text: str, digest: str) -> list[dict[str, str]]:
    items = transient_array(state, DESCRIPTORS_FIELD, count_text, digest, "descriptors")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidRequest("the descriptors must be a JSON array of objects")
    if not 1 <= len(items) <= MAX_ERASE_BATCH:
        raise InvalidRequest(f"1 to {MAX_ERASE_BATCH} descriptors at a time, got {len(items)}")
    checked = []
    for item in items:
        if set(item) != {"kind", "subject", "at"} or not all(
            isinstance(v, str) for v in item.values()
        ):
            raise InvalidRequest(f"a descriptor is {{kind, subject, at}} (strings), got {item}")
        checked.append({k: str(v) for k, v in item.items()})
    return checked


def _check_day(text: str, what: str) -> None:
    try:
        day = parse_utc(text)
    except ValueError as exc:
        raise InvalidRequest(f"{what}: {exc}") from exc
    if day % DAY_SECONDS or format_utc(day) != text:
        raise InvalidRequest(f"{what} must be a UTC midnight as the ledger writes it: {text}")


def _check_at(kind: str, at: str) -> None:
    what = f"descriptor {kind} at {at!r}"
    if kind in (SPAN, SALT_KIND):
        if at:
            raise InvalidRequest(f"{what}: a {kind} has no 'at'")
    elif kind == DAY_INDEX:
        if not at.isdigit():
            raise InvalidRequest(f"{what}: a day index block is a number")
    elif kind in (DAY_RECORD, STATEMENT):
        _check_day(at, what)
    elif kind in (REVISION, TRUE_UP_KIND):
        match = _REVISION_AT.match(at)
        if match is None:
            raise InvalidRequest(f"{what}: expected <day>/<revision, 3 digits>")
        _check_day(match.group(1), what)
    else:  # bill: <period start>/<period end>
        start, _, end = at.partition("/")
        for text in (start, end):
            try:
                if format_utc(parse_utc(text)) != text:
                    raise ValueError(text)
            except ValueError:
                raise InvalidRequest(f"{what}: expected <period start>/<period end>") from None


def erase_household(
    state: State,
    caller: Caller,
    participant: str,
    include_bills: bool,
    count_text: str,
    digest: str,
) -> dict[str, Any]:
    """Purge the described private values of the household still held (see the module's doc);
    all or nothing."""
    caller.require_utility("erase a household's data")
    descriptors = _transient_descriptors(state, count_text, digest)
    load_participant(state, participant)
    store = ReadingStore(state)
    collection = household_collection(participant)
    keys: list[str] = []
    for position, item in enumerate(descriptors):
        kind, subject, at = item["kind"], item["subject"], item["at"]
        if kind not in METER_KINDS + PARTICIPANT_KINDS:
            raise InvalidRequest(f"unknown descriptor kind {kind!r}")
        _check_at(kind, at)
        if kind in RETAINED_KINDS and not include_bills:
            raise InvalidRequest(
                f"{kind} values are kept for legal retention; erase them only with bills included"
            )
        if kind == SALT_KIND:
            if position != len(descriptors) - 1:
                raise InvalidRequest("the salt is erased last (no key can be derived after it)")
            if subject != participant:
                raise InvalidRequest(f"the salt descriptor names {subject}, not {participant}")
            keys.append(salt_key(participant))
        elif kind in METER_KINDS:
            try:
                owner = store.owner(subject)
            except NotFound:
                raise InvalidRequest(f"descriptor names unknown meter {subject!r}") from None
            if owner != participant:
                raise InvalidRequest(f"meter {subject} is not {participant}'s")
            keys.append(store.key_of(subject, kind, at)[1])
        else:
            if subject != participant:
                raise InvalidRequest(f"a {kind} descriptor names {subject}, not {participant}")
            keys.append(store.private_key_of(participant, kind, at)[1])
    purged = []
    for key in dict.fromkeys(keys):
        if state.stub.get_private_data_hash(collection, key):
            state.stub.purge_private_data(collection, key)
            purged.append(key)
    event = {"participant": participant, "erased": len(purged), "collection": collection}
    state.stub.set_event("HouseholdErased", json.dumps(event, sort_keys=True).encode())
    return {**event, "keys": purged}
