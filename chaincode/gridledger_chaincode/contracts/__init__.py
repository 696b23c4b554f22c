"""The contracts this chaincode serves (domain code; never imports gRPC or the shim's server)."""

from gridledger_chaincode import __version__
from gridledger_chaincode.contract import ContractRouter
from gridledger_chaincode.contracts.kv import KvContract
from gridledger_chaincode.contracts.meters import MetersContract

__all__ = ["KvContract", "MetersContract", "build_chaincode"]


def build_chaincode() -> ContractRouter:
    """The chaincode we serve: `meters` (the default contract) and `kv`."""
    return ContractRouter(
        [MetersContract(), KvContract()], default="meters", title="gridledger", version=__version__
    )
