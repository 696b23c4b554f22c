"""The peer side of ``protos.Chaincode/Connect``: dialing CCaaS chaincodes, simulating on them."""

from gridledger_network.devnet.chaincode_support.definitions import (
    ChaincodeDefinition,
    ChaincodeTls,
    CollectionDefinition,
)
from gridledger_network.devnet.chaincode_support.errors import ChaincodeUnavailable, SimulationError
from gridledger_network.devnet.chaincode_support.simulator import TxSimulator
from gridledger_network.devnet.chaincode_support.support import (
    ChaincodeSupport,
    ExecutionError,
    ExecutionResult,
)
from gridledger_network.devnet.chaincode_support.transaction_context import TransactionParams

__all__ = [
    "ChaincodeDefinition",
    "ChaincodeSupport",
    "ChaincodeTls",
    "ChaincodeUnavailable",
    "CollectionDefinition",
    "ExecutionError",
    "ExecutionResult",
    "SimulationError",
    "TransactionParams",
    "TxSimulator",
]
