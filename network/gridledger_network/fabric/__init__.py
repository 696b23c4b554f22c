"""Real Hyperledger Fabric v3 as native processes on 127.0.0.1 (no Docker).

``up(home)`` brings up orderers (etcdraft), one peer per organisation, the channel, the CCaaS
chaincode and its server, then writes ``network.json`` in the devnet's format; ``down(home)``
stops everything and removes the state. See docs/fabric.md.
"""

from gridledger_network.fabric.binaries import FABRIC_VERSION, BinariesNotFound, find_binaries
from gridledger_network.fabric.network import FabricNetwork, down, status, up

__all__ = [
    "FABRIC_VERSION",
    "BinariesNotFound",
    "FabricNetwork",
    "down",
    "find_binaries",
    "status",
    "up",
]
