"""Erasing a household's meter data (``ListHouseholdData``, ``EraseHousehold``; issue 20).

Shared by the chaincode and the client. ``ListHouseholdData`` answers *descriptors* of the
private values a household has, never the values: ``{kind, subject, at}``, the subject being a
meter (kinds ``day``, ``days``, ``span``) or the participant (``statement``, ``revision``,
``true_up``, ``bill``, ``salt``); the chaincode derives each private key from them and the
household's salt (``gridledger_domain.meter_data.private_key``; the salt's own key is
``energy.salt/<participant>``). ``EraseHousehold`` takes them as transient data
``descriptors`` (canonical JSON array), its arguments carrying only their count and SHA-256, so
no descriptor (which names meters and days) enters a block.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from gridledger_domain.canonical import canonical_json
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

DESCRIPTORS_FIELD = "descriptors"
"""The transient field of ``EraseHousehold`` holding the descriptors."""
MAX_ERASE_BATCH = 500
"""Most descriptors one ``EraseHousehold`` transaction purges."""
MAX_HASHED_KEYS = 1000
"""Most keys one ``PrivateDataHashes`` call hashes."""
METER_KINDS = (DAY_RECORD, DAY_INDEX, SPAN)
PARTICIPANT_KINDS = (STATEMENT, REVISION, TRUE_UP_KIND, BILL_KIND, SALT_KIND)
RETAINED_KINDS = (BILL_KIND, SALT_KIND)
"""Kinds erased only when bills are included (bills are kept for legal retention; the salt
goes with them, last: without it nobody can derive the keys again)."""


def erasure_payload(descriptors: Sequence[Mapping[str, Any]]) -> bytes:
    return canonical_json([dict(d) for d in descriptors], checked=False)


def erasure_request(
    participant_id: str, include_bills: bool, descriptors: Sequence[Mapping[str, Any]]
) -> tuple[list[str], dict[str, bytes]]:
    """The arguments (participant, include bills, count, SHA-256 hex) and transient data of
    ``EraseHousehold``."""
    payload = erasure_payload(descriptors)
    args = [
        participant_id,
        "true" if include_bills else "false",
        str(len(descriptors)),
        hashlib.sha256(payload).hexdigest(),
    ]
    return args, {DESCRIPTORS_FIELD: payload}
