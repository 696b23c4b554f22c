"""Fabric Gateway client, shaped like Hyperledger's fabric-gateway clients (sync and asyncio)."""

from gridledger.gateway.block_events import AsyncBlockEventsRequest, BlockEventsRequest
from gridledger.gateway.chaincode_event import ChaincodeEvent
from gridledger.gateway.chaincode_events import (
    AsyncChaincodeEventsRequest,
    ChaincodeEventsRequest,
)
from gridledger.gateway.checkpointer import (
    Checkpoint,
    Checkpointer,
    FileCheckpointer,
    InMemoryCheckpointer,
)
from gridledger.gateway.commit import AsyncSubmittedTransaction, SubmittedTransaction
from gridledger.gateway.connection import Endpoint
from gridledger.gateway.contract import AsyncContract, Contract
from gridledger.gateway.errors import (
    CommitError,
    CommitStatusError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    EventsError,
    GatewayError,
    NoSignerError,
    SubmitError,
)
from gridledger.gateway.gateway import AsyncGateway, Gateway, connect, connect_async
from gridledger.gateway.network import AsyncNetwork, Network
from gridledger.gateway.proposal import AsyncProposal, Proposal
from gridledger.gateway.status import Status
from gridledger.gateway.streams import AsyncEventStream, EventStream
from gridledger.gateway.timeouts import DEFAULT_TIMEOUTS, Timeouts
from gridledger.gateway.transaction import AsyncTransaction, Transaction
from gridledger.gateway.transport import DeliverKind

__all__ = [
    "DEFAULT_TIMEOUTS",
    "AsyncBlockEventsRequest",
    "AsyncChaincodeEventsRequest",
    "AsyncContract",
    "AsyncEventStream",
    "AsyncGateway",
    "AsyncNetwork",
    "AsyncProposal",
    "AsyncSubmittedTransaction",
    "AsyncTransaction",
    "BlockEventsRequest",
    "ChaincodeEvent",
    "ChaincodeEventsRequest",
    "Checkpoint",
    "Checkpointer",
    "CommitError",
    "CommitStatusError",
    "Contract",
    "DeliverKind",
    "EndorseError",
    "Endpoint",
    "ErrorDetail",
    "EvaluateError",
    "EventStream",
    "EventsError",
    "FileCheckpointer",
    "Gateway",
    "GatewayError",
    "InMemoryCheckpointer",
    "Network",
    "NoSignerError",
    "Proposal",
    "Status",
    "SubmitError",
    "SubmittedTransaction",
    "Timeouts",
    "Transaction",
    "connect",
    "connect_async",
]
