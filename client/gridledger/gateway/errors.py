"""Typed Gateway errors: which step failed, the gRPC code, the tx id and each peer's detail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fabric_protos.peer import transaction_pb2
from gridledger.errors import GridLedgerError
from gridledger.gateway.failures import Failure, failure_of, limit_of


@dataclass(frozen=True)
class ErrorDetail:
    """One peer's (or orderer's) answer, from a ``gateway.ErrorDetail`` in the gRPC status."""

    address: str
    msp_id: str
    message: str


class GatewayError(GridLedgerError):
    """A Gateway call failed. ``grpc_code`` is a ``grpc.StatusCode`` (None if not a gRPC error)."""

    step = "gateway"

    def __init__(
        self,
        message: str,
        *,
        transaction_id: str = "",
        grpc_code: Any = None,
        details: Sequence[ErrorDetail] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.transaction_id = transaction_id
        self.grpc_code = grpc_code
        self.details: list[ErrorDetail] = list(details)

    @property
    def grpc_code_name(self) -> str:
        return str(getattr(self.grpc_code, "name", "")) if self.grpc_code is not None else ""

    @property
    def failure(self) -> Failure | None:
        """Why the call failed, when it is a cause a caller can act on (a deadline, a size
        limit, an unreachable node: ``gridledger.gateway.failures``), else None."""
        return failure_of(self.grpc_code_name, self._messages())

    @property
    def limit_bytes(self) -> int | None:
        """The size limit (bytes) a refused transaction or message broke, when one is named."""
        return limit_of(self._messages())

    def _messages(self) -> list[str]:
        return [self.message, *(detail.message for detail in self.details)]

    def __str__(self) -> str:
        head = f"{self.step} error"
        if self.transaction_id:
            head += f" (transaction {self.transaction_id})"
        code = f"{self.grpc_code_name}: " if self.grpc_code is not None else ""
        lines = [f"{head}: {code}{self.message}"]
        if self.details:
            lines.append("details:")
            lines.extend(
                f"  - {detail.address} ({detail.msp_id}): {detail.message}"
                for detail in self.details
            )
        return "\n".join(lines)


class EvaluateError(GatewayError):
    """Evaluating a transaction failed."""

    step = "evaluate"


class EndorseError(GatewayError):
    """Endorsing a transaction failed (no transaction was sent for ordering)."""

    step = "endorse"


class SubmitError(GatewayError):
    """Sending the endorsed transaction for ordering failed."""

    step = "submit"


class CommitStatusError(GatewayError):
    """Asking for the commit status failed (the transaction may still commit)."""

    step = "commit status"


class EventsError(GatewayError):
    """An event stream (chaincode events or Deliver) failed."""

    step = "events"


class NoSignerError(GatewayError):
    """Something needs a signature but the gateway has no signer (offline signing)."""

    step = "sign"


class PrivateDataLeakError(GridLedgerError):
    """Refused before anything was sent: transient data would reach organisations outside the
    private data collection(s) the call writes (or the call named endorsing organisations without
    saying which collections it writes). ``collection`` is "" in the second case."""

    def __init__(
        self, collection: str, non_members: Sequence[str], endorsing_orgs: Sequence[str]
    ) -> None:
        self.collection = collection
        self.non_members = sorted(non_members)
        self.endorsing_orgs = list(endorsing_orgs)
        if collection:
            message = (
                f"refused before sending: transient data would go to organisation(s) "
                f"{', '.join(self.non_members)}, not members of private data collection "
                f"{collection}; name only the collection's members as endorsing organisations"
            )
        else:
            message = (
                "refused before sending: transient data with named endorsing organisations "
                f"({', '.join(self.endorsing_orgs)}) needs the private data collections the call "
                "writes and their members (collections={name: members}; {} if it writes none)"
            )
        super().__init__(message)
        self.message = message


def validation_code_name(code: int) -> str:
    try:
        return str(transaction_pb2.TxValidationCode.Name(code))
    except ValueError:
        return f"UNKNOWN_{code}"


class CommitError(GatewayError):
    """The transaction was committed but marked invalid (``code`` is its TxValidationCode)."""

    step = "commit"

    def __init__(self, transaction_id: str, code: int) -> None:
        self.code = code
        self.code_name = validation_code_name(code)
        super().__init__(
            f"transaction {transaction_id} failed to commit with status code {code} "
            f"({self.code_name})",
            transaction_id=transaction_id,
        )

    def __str__(self) -> str:
        return f"{self.step} error: {self.message}"
