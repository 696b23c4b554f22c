"""The contracts this chaincode serves (domain code; never imports gRPC or the shim's server)."""

from gridledger_chaincode import __version__
from gridledger_chaincode.contract import ContractRouter
from gridledger_chaincode.contracts.kv import KvContract
from gridledger_chaincode.contracts.meters import MetersContract
from gridledger_chaincode.energy.contract import EnergyContract

__all__ = ["KvContract", "MetersContract", "build_chaincode"]


def build_chaincode() -> ContractRouter:
    """The chaincode we serve: `meters` (the default contract), `energy` and `kv`."""
    return ContractRouter(
        [MetersContract(), EnergyContract(), KvContract()],
        default="meters",
        title="gridledger",
        version=__version__,
    )
