"""Which failed submissions to retry: ``classify(error)`` turns a Gateway error into a ``Verdict``.

- ``CONFLICT``: the transaction committed as ``MVCC_READ_CONFLICT`` / ``PHANTOM_READ_CONFLICT``;
  endorse it again as a new transaction (fresh reads).
- ``UNAVAILABLE``: no peer, chaincode or orderer could be reached (gRPC ``UNAVAILABLE``, the
  chaincode's stream is down, the orderer answered ``SERVICE_UNAVAILABLE``, discovery finds too
  few live peers to satisfy the endorsement policy); nothing was ordered.
- ``TRANSIENT``: the network answered but could not finish (a deadline passed, the chaincode
  timed out, endorsers disagreed); nothing was ordered.
- ``IN_DOUBT``: the transaction may have been ordered (submit or commit status failed midway);
  look its id up before endorsing it again.
- ``REJECTED``: the chaincode refused it, or the network refused the request itself (bad
  identity, invalid argument, committed invalid for any reason but a read conflict). Never retried.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from gridledger.gateway.errors import (
    CommitError,
    CommitStatusError,
    EndorseError,
    EvaluateError,
    GatewayError,
    SubmitError,
)

RETRYABLE_VALIDATION_CODES = frozenset({"MVCC_READ_CONFLICT", "PHANTOM_READ_CONFLICT"})
UNREACHABLE_CODES = frozenset({"UNAVAILABLE"})
TRANSIENT_CODES = frozenset({"DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "CANCELLED"})
# What Fabric's gateway (and the devnet) put in error details: a chaincode's own error response
# (never retried), a peer or chaincode that cannot be reached, or a run that could not finish.
CHAINCODE_REJECTION_MARKERS = ("chaincode response ", "transaction returned with failure")
CHAINCODE_UNREACHABLE_MARKERS = (
    "is not reachable",
    "chaincode stream terminated",
    "could not launch chaincode",
)
# Fabric's gateway could not reach an endorsing peer (its error detail for that endorser): the
# peer is down, or the gateway was closing its connection to it when the call was made.
ENDORSER_UNREACHABLE_MARKERS = (
    "code = Unavailable",
    "the client connection is closing",
    "connection refused",
)
CHAINCODE_TRANSIENT_MARKERS = (
    "failed to execute transaction",
    "timeout expired",
    "ProposalResponsePayloads do not match",
    "code = DeadlineExceeded",
)
ORDERER_UNAVAILABLE_MARKERS = ("SERVICE_UNAVAILABLE", "no orderers could successfully process")
# Fabric's gateway (FAILED_PRECONDITION) when discovery finds too few live peers for the policy:
# another org's peer is down or not yet known through gossip. An unknown chaincode or channel
# ("No metadata was found for chaincode ...") has the same prefix and stays a refusal.
ENDORSERS_UNAVAILABLE_MARKERS = (
    "no peer combination can satisfy the endorsement policy",
    "due to unavailability of peers",
)


class Disposition(enum.Enum):
    CONFLICT = "conflict"
    UNAVAILABLE = "unavailable"
    TRANSIENT = "transient"
    IN_DOUBT = "in_doubt"
    REJECTED = "rejected"

    @property
    def retryable(self) -> bool:
        return self is not Disposition.REJECTED


@dataclass(frozen=True)
class Verdict:
    """What to do after ``error``; ``reason`` is one line fit for a log or a report."""

    disposition: Disposition
    reason: str

    @property
    def retryable(self) -> bool:
        return self.disposition.retryable


def _messages(error: GatewayError) -> list[str]:
    return [error.message, *(detail.message for detail in error.details)]


def _mentions(texts: Sequence[str], markers: Sequence[str]) -> bool:
    return any(marker in text for text in texts for marker in markers)


def _endorse_verdict(error: GatewayError) -> Verdict:
    texts = _messages(error)
    code = error.grpc_code_name
    detail = "; ".join(d.message for d in error.details) or error.message
    if _mentions([d.message for d in error.details], CHAINCODE_REJECTION_MARKERS):
        return Verdict(Disposition.REJECTED, f"chaincode rejected the transaction: {detail}")
    if _mentions(texts, CHAINCODE_UNREACHABLE_MARKERS):
        return Verdict(Disposition.UNAVAILABLE, f"chaincode unavailable: {detail}")
    if _mentions(texts, ENDORSER_UNREACHABLE_MARKERS):
        return Verdict(Disposition.UNAVAILABLE, f"endorser unreachable: {detail}")
    if _mentions(texts, ENDORSERS_UNAVAILABLE_MARKERS):
        return Verdict(Disposition.UNAVAILABLE, f"too few endorsing peers reachable: {detail}")
    if code in UNREACHABLE_CODES:
        return Verdict(Disposition.UNAVAILABLE, f"{error.step} unavailable: {detail}")
    if _mentions(texts, CHAINCODE_TRANSIENT_MARKERS) or code in TRANSIENT_CODES:
        return Verdict(Disposition.TRANSIENT, f"{error.step} failed ({code}): {detail}")
    # anything else (access denied, invalid proposal, no policy satisfiable...) is a refusal
    return Verdict(Disposition.REJECTED, f"{error.step} refused ({code or 'no code'}): {detail}")


def _submit_verdict(error: SubmitError) -> Verdict:
    code = error.grpc_code_name
    texts = _messages(error)
    if code == "UNAVAILABLE" and _mentions(texts, ORDERER_UNAVAILABLE_MARKERS):
        detail = "; ".join(d.message for d in error.details) or error.message
        return Verdict(Disposition.UNAVAILABLE, f"orderer unavailable: {detail}")
    if code in UNREACHABLE_CODES or code in TRANSIENT_CODES or not code:
        return Verdict(Disposition.IN_DOUBT, f"submit outcome unknown ({code}): {error.message}")
    return Verdict(Disposition.REJECTED, f"orderer refused the transaction ({code}): {error}")


def classify(error: BaseException) -> Verdict:
    """How to treat ``error`` raised while evaluating, endorsing, submitting or committing."""
    if isinstance(error, CommitError):
        if error.code_name in RETRYABLE_VALIDATION_CODES:
            return Verdict(Disposition.CONFLICT, f"committed as {error.code_name}")
        return Verdict(Disposition.REJECTED, f"committed invalid: {error.code_name}")
    if isinstance(error, (EndorseError, EvaluateError)):
        return _endorse_verdict(error)
    if isinstance(error, SubmitError):
        return _submit_verdict(error)
    if isinstance(error, CommitStatusError):
        if error.grpc_code_name in ("PERMISSION_DENIED", "INVALID_ARGUMENT"):
            return Verdict(Disposition.REJECTED, f"commit status refused: {error.message}")
        return Verdict(
            Disposition.IN_DOUBT,
            f"commit status unknown ({error.grpc_code_name}): {error.message}",
        )
    if isinstance(error, GatewayError):
        return Verdict(Disposition.REJECTED, str(error))
    return Verdict(Disposition.REJECTED, f"{type(error).__name__}: {error}")
