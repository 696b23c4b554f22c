"""A household's private meter data as a reader entitled to it sees it (issue 20, item 2).

``AuditMeterData`` is a read-only query answered by a peer of a member of the household's
collection (``mdata_<MSP>``): the household itself, the utility and auditors (participants with
role ``auditor``, of any organisation) may ask; anyone else is refused. It answers, page by page,
the private records of the household for UTC days ``first..last`` (at most
``MAX_AUDIT_DAYS``), with their collection and salted key, so an auditor can compare the SHA-256
of each value with the hash its own peer holds (``PrivateDataHashes``, ``ledger.private_hashes``).

The records, in this order for each day: the day record of each of the household's meters (meter
id order), the household's day statement, then its bills whose period starts that day. Only the
records that exist are answered. The work is bounded: the household's meters and the bill
commitments of at most ``MAX_AUDIT_DAYS`` days (public reads), then at most
``MAX_AUDIT_PAGE`` private values by key per page; the bookmark is the position of the next
record to consider.
"""

from __future__ import annotations

import base64
from typing import Any

from gridledger_domain import format_utc
from gridledger_domain.meter_data import BILL_KIND, DAY_RECORD, STATEMENT, private_key
from gridledger_domain.refusals import InvalidRequest, NotFound
from gridledger_domain.timeutil import DAY_SECONDS

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.meter_data import household_collection, salt_key
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.state import BILL, METER_BY_OWNER, PARTICIPANT, State
from gridledger_chaincode.energy.ledger.statements import parse_day

MAX_AUDIT_DAYS = 31
MAX_AUDIT_PAGE = 64
"""Private values read per page (a larger page size is served as this many)."""


def _slots(state: State, participant: str, first: int, last: int) -> list[tuple[str, str, str]]:
    """(kind, subject, at) of every record the range may hold, in answer order."""
    meters = sorted(parts[1] for parts, _ in state.scan(METER_BY_OWNER, participant))
    slots: list[tuple[str, str, str]] = []
    for day in range(first, last + 1, DAY_SECONDS):
        at = format_utc(day)
        slots.extend((DAY_RECORD, meter, at) for meter in meters)
        slots.append((STATEMENT, participant, at))
        slots.extend(
            (BILL_KIND, participant, f"{parts[1]}/{parts[2]}")
            for parts, _ in state.scan(BILL, participant, at)
        )
    return slots


def _value(raw: bytes) -> dict[str, str]:
    try:
        return {"value": raw.decode("utf-8"), "encoding": "text"}
    except UnicodeDecodeError:
        return {"value": base64.b64encode(raw).decode(), "encoding": "base64"}


def audit_meter_data(
    state: State,
    caller: Caller,
    participant: str,
    first_day: str,
    last_day: str,
    request: PageRequest,
) -> dict[str, Any]:
    """One page of the household's private records ``{collection, key, kind, subject, at, value,
    encoding}`` for days ``first_day..last_day`` (UTC midnights, inclusive)."""
    caller.require_reader_of(participant, f"the meter data of {participant}")
    first, last = parse_day(first_day, "first day"), parse_day(last_day, "last day")
    if last < first or (last - first) // DAY_SECONDS >= MAX_AUDIT_DAYS:
        raise InvalidRequest(
            f"the last day must be 0 to {MAX_AUDIT_DAYS - 1} days after the first day"
        )
    if state.get_raw(PARTICIPANT, participant) == b"":
        raise NotFound(f"unknown participant {participant}")
    slots = _slots(state, participant, first, last)
    try:
        offset = int(request.bookmark) if request.bookmark else 0
    except ValueError:
        raise InvalidRequest(f"not a bookmark of this listing: {request.bookmark!r}") from None
    if not 0 <= offset <= len(slots):
        raise InvalidRequest(f"not a bookmark of this listing: {request.bookmark!r}")
    page = slots[offset : offset + min(request.size, MAX_AUDIT_PAGE)]
    collection = household_collection(participant)
    items: list[dict[str, Any]] = []
    if page:
        salt = bytes(state.stub.get_private_data(collection, salt_key(participant)) or b"")
        if not salt:
            raise NotFound(
                f"{participant} has no meter data salt in {collection} on this peer "
                "(ask a peer of a member of the collection)"
            )
        keys = [private_key(salt, kind, subject, at) for kind, subject, at in page]
        raws = state.stub.get_multiple_private_data(collection, keys)
        for (kind, subject, at), key, raw in zip(page, keys, raws, strict=True):
            if raw:
                record = {"collection": collection, "key": key, "kind": kind}
                items.append({**record, "subject": subject, "at": at, **_value(bytes(raw))})
    end = offset + len(page)
    return page_answer(items, str(end) if end < len(slots) else "")
