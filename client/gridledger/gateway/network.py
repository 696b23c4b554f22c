"""A channel: its contracts, chaincode events and block events.

What the asyncio class (``_async``) and its generated sync twin (``_sync``) share.
"""

from __future__ import annotations

from typing import Any

from gridledger.gateway import requests
from gridledger.gateway.checkpointer import Checkpoint
from gridledger.gateway.context import ClientContext


def start_of(start_block: int | None, checkpoint: Checkpoint | None) -> tuple[int | None, str]:
    """Start block and the transaction to resume after: the checkpoint wins when it has one;
    neither means "from the next block committed"."""
    if checkpoint is not None and checkpoint.block_number is not None:
        return checkpoint.block_number, checkpoint.transaction_id or ""
    return start_block, ""


class NetworkBase:
    """A channel, either flavour: the requests its event streams start with."""

    def __init__(self, context: ClientContext, name: str) -> None:
        self._context = context
        self.name = name

    def _chaincode_events_request(
        self, chaincode_name: str, start_block: int | None, checkpoint: Checkpoint | None
    ) -> Any:
        block, after = start_of(start_block, checkpoint)
        return requests.chaincode_events_request(
            self._context.signing, self.name, chaincode_name, block, after
        )

    def _deliver_envelope(self, start_block: int | None, checkpoint: Checkpoint | None) -> Any:
        block, _ = start_of(start_block, checkpoint)
        return requests.deliver_envelope(
            self._context.signing, self.name, block, self._context.tls_cert_hash
        )
