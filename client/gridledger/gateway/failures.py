"""Why a Gateway call failed, as values a caller can test: ``GatewayError.failure`` (a
``Failure``) and ``GatewayError.limit_bytes`` (the size limit a refused message broke).

The cause is read from what the call returned: its gRPC status code and the messages of the
Gateway and of each peer or orderer (Fabric's words, which the devnet repeats):

- ``DEADLINE_EXCEEDED``: the call's deadline passed (gRPC ``DEADLINE_EXCEEDED``, or an endorser
  the gateway called ran out of time: ``code = DeadlineExceeded``); raise it with ``timeout=``.
- ``REQUEST_ENTITY_TOO_LARGE``: the orderer refused the transaction as larger than the
  channel's ``BatchSize.AbsoluteMaxBytes`` (10 MB by default): ``status=REQUEST_ENTITY_TOO_LARGE``.
- ``MESSAGE_TOO_LARGE``: a gRPC message (a request or an answer) was larger than its receiver
  accepts (gRPC ``RESOURCE_EXHAUSTED``, "larger than max").
- ``UNAVAILABLE``: a peer, the orderer or the chaincode could not be reached.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence


class Failure(enum.StrEnum):
    DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
    REQUEST_ENTITY_TOO_LARGE = "REQUEST_ENTITY_TOO_LARGE"
    MESSAGE_TOO_LARGE = "MESSAGE_TOO_LARGE"
    UNAVAILABLE = "UNAVAILABLE"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Failure.DEADLINE_EXCEEDED: "the call's deadline passed (give a longer timeout)",
    Failure.REQUEST_ENTITY_TOO_LARGE: (
        "the orderer's transaction size limit (BatchSize.AbsoluteMaxBytes, 10 MB by default)"
    ),
    Failure.MESSAGE_TOO_LARGE: "a gRPC message over its receiver's size limit",
    Failure.UNAVAILABLE: "a peer, the orderer or the chaincode could not be reached",
}
# Fabric's orderer: "message payload is N bytes and exceeds maximum allowed M bytes";
# gRPC: "Received message larger than max (N vs. M)".
_LIMITS = (
    re.compile(r"exceeds maximum allowed (\d+) bytes"),
    re.compile(r"larger than max \(\d+ vs\. (\d+)\)"),
)


def failure_of(code_name: str, messages: Sequence[str]) -> Failure | None:
    """The cause of a failed call with gRPC status ``code_name`` and these messages, or None
    when it is none of the causes above (e.g. a refusal by the chaincode)."""
    text = "\n".join(messages)
    if "REQUEST_ENTITY_TOO_LARGE" in text:
        return Failure.REQUEST_ENTITY_TOO_LARGE
    if code_name == "RESOURCE_EXHAUSTED" and "larger than max" in text:
        return Failure.MESSAGE_TOO_LARGE
    if code_name == "DEADLINE_EXCEEDED" or "code = DeadlineExceeded" in text:
        return Failure.DEADLINE_EXCEEDED
    if code_name == "UNAVAILABLE":
        return Failure.UNAVAILABLE
    return None


def limit_of(messages: Sequence[str]) -> int | None:
    """The size limit in bytes the messages name (a refused transaction or message), if any."""
    for message in messages:
        for pattern in _LIMITS:
            found = pattern.search(message)
            if found is not None:
                return int(found.group(1))
    return None
