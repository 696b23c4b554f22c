"""A contract API on the shim: contract classes, transaction decorators, typed arguments."""

from gridledger_chaincode.contract.context import Context
from gridledger_chaincode.contract.contract import Contract
from gridledger_chaincode.contract.decorators import query, transaction
from gridledger_chaincode.contract.errors import ArgumentError, ContractError
from gridledger_chaincode.contract.router import SYSTEM_CONTRACT_NAME, ContractRouter

__all__ = [
    "SYSTEM_CONTRACT_NAME",
    "ArgumentError",
    "Context",
    "Contract",
    "ContractError",
    "ContractRouter",
    "query",
    "transaction",
]
