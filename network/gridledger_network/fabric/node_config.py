"""Per-node configuration derived from Fabric's sample ``core.yaml`` and ``orderer.yaml``.

Each node gets its own folder with its YAML (``FABRIC_CFG_PATH`` points there) and its data.
Every listener is on the node's address from ``fabric.yaml`` with its own port; TLS everywhere;
LevelDB state; no Docker (``vm.endpoint`` empty); the CCaaS external builder of this package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gridledger_network.devnet.config import ORDERER_MSP_ID
from gridledger_network.fabric.config import OrdererPorts, PeerPorts
from gridledger_network.fabric.crypto import FabricCrypto

BUILDER_NAME = "gridledger-ccaas"

# Gossip intervals shorter than the sample's, so the gateway learns the other org's peer (and
# its chaincodes) within seconds of start-up rather than the sample's ~20 s.
FAST_GOSSIP = {
    "pullInterval": "1s",
    "requestStateInfoInterval": "1s",
    "publishStateInfoInterval": "1s",
    "publishCertPeriod": "2s",
    "aliveTimeInterval": "1s",
    "aliveExpirationTimeout": "5s",
    "reconnectInterval": "2s",
    "membershipTrackerInterval": "1s",
}


def _load_sample(config_dir: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((config_dir / name).read_text(encoding="utf-8"))
    return data


def _write(folder: Path, name: str, document: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def write_core_yaml(
    sample_dir: Path,
    folder: Path,
    *,
    msp_id: str,
    index: int,
    host: str,
    ports: PeerPorts,
    crypto: FabricCrypto,
    builder_dir: Path,
    bootstrap: str,
) -> Path:
    """``folder/core.yaml`` for peer ``index`` of ``msp_id`` at ``host``; its ledger goes to
    ``folder/data``; gossip starts from ``bootstrap`` (another peer of its org, or itself)."""
    core = _load_sample(sample_dir, "core.yaml")
    node_dir = crypto.peer_dir(msp_id, index)
    tls = node_dir / "tls"
    address = f"{host}:{ports.port}"
    peer = core["peer"]
    peer["id"] = crypto.peer_host(msp_id, index)
    peer["networkId"] = "gridledger"
    peer["listenAddress"] = address
    peer["address"] = address
    peer["chaincodeListenAddress"] = f"{host}:{ports.chaincode_port}"
    peer["chaincodeAddress"] = f"{host}:{ports.chaincode_port}"
    peer["addressAutoDetect"] = False
    peer["localMspId"] = msp_id
    peer["mspConfigPath"] = str(node_dir / "msp")
    peer["fileSystemPath"] = str(folder / "data")
    peer["gossip"].update(
        {
            "bootstrap": bootstrap,
            "endpoint": address,
            "externalEndpoint": address,
            "useLeaderElection": False,
            "orgLeader": True,
            **FAST_GOSSIP,
        }
    )
    peer["tls"].update(
        {
            "enabled": True,
            "clientAuthRequired": False,
            "cert": {"file": str(tls / "server.crt")},
            "key": {"file": str(tls / "server.key")},
            "rootcert": {"file": str(tls / "ca.crt")},
            "clientRootCAs": {"files": [str(tls / "ca.crt")]},
        }
    )
    peer["profile"] = {"enabled": False, "listenAddress": f"{host}:0"}
    core["vm"]["endpoint"] = ""
    core["chaincode"]["externalBuilders"] = [
        {"name": BUILDER_NAME, "path": str(builder_dir), "propagateEnvironment": []}
    ]
    core["ledger"]["state"]["stateDatabase"] = "goleveldb"
    core["ledger"]["snapshots"] = {"rootDir": str(folder / "data" / "snapshots")}
    core["operations"]["listenAddress"] = f"{host}:{ports.operations_port}"
    core["metrics"]["provider"] = "disabled"
    return _write(folder, "core.yaml", core)


def write_orderer_yaml(
    sample_dir: Path,
    folder: Path,
    *,
    index: int,
    host: str,
    ports: OrdererPorts,
    crypto: FabricCrypto,
) -> Path:
    """``folder/orderer.yaml`` for orderer ``index``; its ledger and Raft WAL go to ``folder``."""
    orderer = _load_sample(sample_dir, "orderer.yaml")
    tls = crypto.orderer_tls(index)
    tlsca = str(crypto.orderer_tlsca)
    general = orderer["General"]
    general["ListenAddress"] = host
    general["ListenPort"] = ports.port
    general["TLS"].update(
        {
            "Enabled": True,
            "PrivateKey": str(tls / "server.key"),
            "Certificate": str(tls / "server.crt"),
            "RootCAs": [tlsca],
            "ClientAuthRequired": False,
        }
    )
    # Raft traffic shares the general listener; outgoing cluster connections use the node's pair.
    general["Cluster"].update(
        {
            "ClientCertificate": str(tls / "server.crt"),
            "ClientPrivateKey": str(tls / "server.key"),
            "RootCAs": [tlsca],
        }
    )
    general["LocalMSPDir"] = str(crypto.orderer_msp(index))
    general["LocalMSPID"] = ORDERER_MSP_ID
    orderer["FileLedger"]["Location"] = str(folder / "data")
    orderer["Operations"]["ListenAddress"] = f"{host}:{ports.operations_port}"
    orderer["Metrics"]["Provider"] = "disabled"
    orderer["Admin"] = {
        "ListenAddress": f"{host}:{ports.admin_port}",
        "TLS": {
            "Enabled": True,
            "Certificate": str(tls / "server.crt"),
            "PrivateKey": str(tls / "server.key"),
            "ClientAuthRequired": True,
            "ClientRootCAs": [tlsca],
        },
    }
    orderer["ChannelParticipation"] = {"Enabled": True, "MaxRequestBodySize": "1 MB"}
    orderer["Consensus"] = {
        "WALDir": str(folder / "data" / "etcdraft" / "wal"),
        "SnapDir": str(folder / "data" / "etcdraft" / "snapshot"),
    }
    return _write(folder, "orderer.yaml", orderer)
