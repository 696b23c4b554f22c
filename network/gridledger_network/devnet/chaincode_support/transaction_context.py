"""The state of one transaction executing on one chaincode stream."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from gridledger_network.devnet.chaincode_support.query_results import QueryRegistry
from gridledger_network.devnet.chaincode_support.simulator import TxSimulator


@dataclass(frozen=True, slots=True)
class TransactionParams:
    """What the endorser hands to chaincode support for one proposal."""

    channel_id: str
    tx_id: str
    signed_proposal: Any  # peer.SignedProposal
    simulator: TxSimulator


@dataclass(slots=True)
class TransactionContext:
    params: TransactionParams
    namespace: str
    response: asyncio.Future[Any]  # resolves to the COMPLETED/ERROR ChaincodeMessage
    queries: QueryRegistry = field(default_factory=QueryRegistry)

    @property
    def simulator(self) -> TxSimulator:
        return self.params.simulator
