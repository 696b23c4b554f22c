"""The contracts this chaincode serves (domain code; never imports gRPC or the shim's server)."""

from gridledger_chaincode import __version__
from gridledger_chaincode.contract import ContractRouter
from gridledger_chaincode.contracts.kv import KvContract
from gridledger_chaincode.energy.contract import EnergyContract

__all__ = ["KvContract", "build_chaincode"]


def build_chaincode() -> ContractRouter:
    """The chaincode we serve: `energy` (the default contract) and `kv`."""
    return ContractRouter(
        [EnergyContract(), KvContract()],
        default="energy",
        title="gridledger",
        version=__version__,
    )
