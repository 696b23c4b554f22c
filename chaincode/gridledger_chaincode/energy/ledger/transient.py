"""A JSON array sent as transient data, its count and SHA-256 as the transaction's arguments
(``SubmitReadings``, ``EraseHousehold``): what travels privately never enters a block, and the
arguments pin what was endorsed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gridledger_domain.refusals import InvalidRequest

from gridledger_chaincode.energy.ledger.state import State


def transient_array(state: State, field: str, count_text: str, digest: str, what: str) -> Any:
    """The JSON value of transient ``field``, checked against the SHA-256 ``digest`` and, when
    an array, against ``count_text`` (its length); ``what`` names the items in refusals."""
    payload = state.stub.transient.get(field, b"")
    if not payload:
        raise InvalidRequest(
            f"{what} travel as transient data {field!r} (the arguments are their count and "
            "SHA-256; the client library does this)"
        )
    if hashlib.sha256(payload).hexdigest() != digest:
        raise InvalidRequest(f"the transient {what} do not match the SHA-256 in the arguments")
    try:
        items = json.loads(payload)
    except ValueError as exc:
        raise InvalidRequest(f"transient {what} are not JSON: {exc}") from exc
    if isinstance(items, list) and str(len(items)) != count_text:
        raise InvalidRequest(
            f"the arguments announce {count_text!r} {what}, the transient data holds {len(items)}"
        )
    return items
