"""The ``gateway.Gateway`` service of each organisation's peer endpoint."""

from gridledger_network.devnet.gateway.errors import RpcError
from gridledger_network.devnet.gateway.peers import PeerNode
from gridledger_network.devnet.gateway.service import GatewayService

__all__ = ["GatewayService", "PeerNode", "RpcError"]
