"""Our implementation of the chaincode side of Fabric's chaincode protocol.

Importing this package does not import gRPC; the server lives in `gridledger_chaincode.shim.server`.
"""

from gridledger_chaincode.shim.errors import ChaincodeStubError
from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.shim.interface import (
    Chaincode,
    HistoryIterator,
    LedgerStub,
    QueryIterator,
    StateIterator,
)
from gridledger_chaincode.shim.keys import create_composite_key, split_composite_key
from gridledger_chaincode.shim.policy import org_endorsement_policy
from gridledger_chaincode.shim.types import (
    KV,
    ChaincodeEventData,
    ChaincodeResponse,
    KeyModification,
    QueryPageMetadata,
)

__all__ = [
    "KV",
    "Chaincode",
    "ChaincodeEventData",
    "ChaincodeResponse",
    "ChaincodeStubError",
    "ClientIdentity",
    "HistoryIterator",
    "KeyModification",
    "LedgerStub",
    "QueryIterator",
    "QueryPageMetadata",
    "StateIterator",
    "create_composite_key",
    "org_endorsement_policy",
    "split_composite_key",
]
