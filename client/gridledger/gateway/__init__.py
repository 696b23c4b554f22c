"""Fabric Gateway client, shaped like Hyperledger's fabric-gateway clients, sync and asyncio.

``connect(...)`` gives a ``Gateway``; ``aconnect(...)`` (from a running event loop) gives an
``AsyncGateway`` whose calls are awaited. Names keep fabric-gateway's meaning: ``submit_async``
submits without waiting for the commit in both flavours; the asyncio flavour is the ``Async``
class prefix and the ``a`` function prefix (as in ``aclose``). The asyncio classes
(``gridledger.gateway._async``) are the one source of the synchronous ones (``_sync``, written
by ``client/unasync.py``).
"""

from gridledger.gateway._async.block_events import AsyncBlockEventsRequest
from gridledger.gateway._async.chaincode_events import AsyncChaincodeEventsRequest
from gridledger.gateway._async.commit import AsyncSubmittedTransaction
from gridledger.gateway._async.contract import AsyncContract
from gridledger.gateway._async.gateway import AsyncGateway, aconnect
from gridledger.gateway._async.network import AsyncNetwork
from gridledger.gateway._async.proposal import AsyncProposal
from gridledger.gateway._async.streams import AsyncEventStream
from gridledger.gateway._async.transaction import AsyncTransaction
from gridledger.gateway._sync.block_events import BlockEventsRequest
from gridledger.gateway._sync.chaincode_events import ChaincodeEventsRequest
from gridledger.gateway._sync.commit import SubmittedTransaction
from gridledger.gateway._sync.contract import Contract
from gridledger.gateway._sync.gateway import Gateway, connect
from gridledger.gateway._sync.network import Network
from gridledger.gateway._sync.proposal import Proposal
from gridledger.gateway._sync.streams import EventStream
from gridledger.gateway._sync.transaction import Transaction
from gridledger.gateway.blocks import BlockDecodeError, BlockInfo, BlockTransaction, ChainInfo
from gridledger.gateway.chaincode_event import ChaincodeEvent
from gridledger.gateway.checkpointer import (
    Checkpoint,
    Checkpointer,
    FileCheckpointer,
    InMemoryCheckpointer,
)
from gridledger.gateway.connection import Endpoint
from gridledger.gateway.contract import Argument, CollectionMembers, Transient
from gridledger.gateway.errors import (
    CommitError,
    CommitStatusError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    EventsError,
    GatewayError,
    NoSignerError,
    PrivateDataLeakError,
    SubmitError,
)
from gridledger.gateway.failures import Failure
from gridledger.gateway.status import Status
from gridledger.gateway.timeouts import DEFAULT_TIMEOUTS, Timeouts
from gridledger.gateway.transport import DeliverKind

__all__ = [
    "DEFAULT_TIMEOUTS",
    "Argument",
    "AsyncBlockEventsRequest",
    "AsyncChaincodeEventsRequest",
    "AsyncContract",
    "AsyncEventStream",
    "AsyncGateway",
    "AsyncNetwork",
    "AsyncProposal",
    "AsyncSubmittedTransaction",
    "AsyncTransaction",
    "BlockDecodeError",
    "BlockEventsRequest",
    "BlockInfo",
    "BlockTransaction",
    "ChainInfo",
    "ChaincodeEvent",
    "ChaincodeEventsRequest",
    "Checkpoint",
    "Checkpointer",
    "CollectionMembers",
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
    "Failure",
    "FileCheckpointer",
    "Gateway",
    "GatewayError",
    "InMemoryCheckpointer",
    "Network",
    "NoSignerError",
    "PrivateDataLeakError",
    "Proposal",
    "Status",
    "SubmitError",
    "SubmittedTransaction",
    "Timeouts",
    "Transaction",
    "Transient",
    "aconnect",
    "connect",
]
