"""A transaction's commit status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fabric_protos.peer import transaction_pb2
from gridledger.gateway.errors import validation_code_name

VALID = int(transaction_pb2.TxValidationCode.VALID)


@dataclass(frozen=True)
class Status:
    """``code`` is the ``TxValidationCode``; ``successful`` when it is VALID."""

    code: int
    successful: bool
    block_number: int
    transaction_id: str

    @property
    def code_name(self) -> str:
        return validation_code_name(self.code)


def status_of(response: Any, transaction_id: str) -> Status:
    """A ``Status`` from a ``gateway.CommitStatusResponse``."""
    code = int(response.result)
    return Status(
        code=code,
        successful=code == VALID,
        block_number=int(response.block_number),
        transaction_id=transaction_id,
    )
