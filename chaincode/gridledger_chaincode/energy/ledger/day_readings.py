"""Readings grouped by their owner's UTC day, so that closing a day reads them in one range query.

Every readings submission also writes, for each meter owner, UTC day and meter it stored
readings in, one record of those readings (transport JSON, in time order) under the simple key
``energy.owner_day/<len(owner)>:<owner>/<day number>/<meter id>/<transaction id>``: written
without being read (concurrent submissions never conflict), and the same readings as the
``energy.reading`` keys hold. A reading at midnight is also in the record of the day before (it
ends that day's last interval). Closing a participant's day then reads a few records per meter
instead of 97 keys per meter; readings stored before these records existed are still found by
point reads of the instants the records lack (``day_inputs``).
"""

from __future__ import annotations

import binascii
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from gridledger_domain import MeterReading, SignedReading, parse_utc
from gridledger_domain.canonical import canonical_json
from gridledger_domain.timeutil import DAY_SECONDS, day_of

from gridledger_chaincode.energy.ledger.state import State

OWNER_DAY = "energy.owner_day/"

_DECODE = json.JSONDecoder().decode


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


def load_signed(raw: bytes) -> SignedReading:
    """One stored ``energy.reading`` value (UTF-8 JSON decoded as text)."""
    return signed_from_stored(_DECODE(raw.decode()))


def _day_prefix(owner: str, day: int) -> str:
    return f"{OWNER_DAY}{len(owner)}:{owner}/{day // DAY_SECONDS:07d}/"


def record_day_readings(
    state: State, owners: Mapping[str, str], stored: Sequence[SignedReading]
) -> None:
    """Write the records of ``stored`` (new readings of this transaction; ``owners``: each
    meter's owner)."""
    groups: dict[tuple[str, int, str], list[SignedReading]] = defaultdict(list)
    for signed in stored:
        reading = signed.reading
        day = day_of(reading.interval_start)
        owner = owners[reading.meter_id]
        groups[(owner, day, reading.meter_id)].append(signed)
        if reading.interval_start == day:
            groups[(owner, day - DAY_SECONDS, reading.meter_id)].append(signed)
    for (owner, day, meter_id), readings in groups.items():
        readings.sort(key=lambda s: s.reading.interval_start)
        value = canonical_json([s.to_json_dict() for s in readings], checked=False)
        state.stub.put_state(f"{_day_prefix(owner, day)}{meter_id}/{state.stub.tx_id}", value)


def day_readings(state: State, owner: str, day: int) -> dict[str, dict[int, SignedReading]]:
    """The recorded readings of ``owner``'s meters at instants ``day..day+24h`` inclusive, by
    meter and instant (one range query)."""
    prefix = _day_prefix(owner, day)
    found: dict[str, dict[int, SignedReading]] = defaultdict(dict)
    iterator = state.stub.get_state_by_range(prefix, f"{prefix}~")
    try:
        for kv in iterator:
            for data in _DECODE(bytes(kv.value).decode()):
                signed = signed_from_stored(data)
                meter = found[signed.reading.meter_id]
                known = meter.get(signed.reading.interval_start)
                # an actual reading that replaced an estimated one (once, on an open day) is in
                # a later record than the estimate: the actual one wins whatever the key order
                if known is None or (known.reading.estimated and not signed.reading.estimated):
                    meter[signed.reading.interval_start] = signed
    finally:
        iterator.close()
    return found
