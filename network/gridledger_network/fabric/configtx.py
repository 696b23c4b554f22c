"""``configtx.yaml`` for the channel, and its genesis block made by ``configtxgen``.

One application channel through channel participation (no system channel): etcdraft orderers
(or SmartBFT ones, ``consensus: bft``: a consenter mapping with each orderer's identity),
Fabric 3 capabilities (channel V3_0, orderer V2_0, application V2_5), each organisation's anchor
peers in the genesis configuration so gossip (and the gateway) find the other orgs' peers at once.
Every orderer and peer is named by its address from ``fabric.yaml``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml
from gridledger_domain.errors import GridLedgerError

from gridledger_network.devnet.config import ORDERER_MSP_ID
from gridledger_network.fabric.binaries import FabricBinaries
from gridledger_network.fabric.config import FabricConfig
from gridledger_network.fabric.crypto import FabricCrypto

PROFILE = "GridLedgerChannel"


class ConfigtxError(GridLedgerError):
    """configtxgen refused the configuration; the message carries its output."""


def _signature(rule: str) -> dict[str, str]:
    return {"Type": "Signature", "Rule": rule}


def _implicit(rule: str) -> dict[str, str]:
    return {"Type": "ImplicitMeta", "Rule": rule}


def _organization(
    crypto: FabricCrypto, msp: str, readers: str, writers: str, **more: Any
) -> dict[str, Any]:
    """An organisation of configtx.yaml: its MSP folder and the policies of Fabric's sample."""
    policies = {
        "Readers": _signature(readers),
        "Writers": _signature(writers),
        "Admins": _signature(f"OR('{msp}.admin')"),
    }
    msp_dir = str(crypto.layout.org_msp_dir(msp))
    return {"Name": msp, "ID": msp, "MSPDir": msp_dir, "Policies": policies, **more}


def _orderer_org(config: FabricConfig, crypto: FabricCrypto) -> dict[str, Any]:
    msp = ORDERER_MSP_ID
    member = f"OR('{msp}.member')"
    endpoints = [f"{config.orderer_address(i)}:{o.port}" for i, o in enumerate(config.orderers)]
    return _organization(crypto, msp, readers=member, writers=member, OrdererEndpoints=endpoints)


def _peer_org(config: FabricConfig, crypto: FabricCrypto, msp: str) -> dict[str, Any]:
    organization = _organization(
        crypto,
        msp,
        readers=f"OR('{msp}.admin','{msp}.peer','{msp}.client')",
        writers=f"OR('{msp}.admin','{msp}.client')",
        AnchorPeers=[
            {"Host": config.peer_address(msp), "Port": config.node_ports(msp, index).port}
            for index in config.peer_indices(msp)
        ],
    )
    organization["Policies"]["Endorsement"] = _signature(f"OR('{msp}.peer')")
    return organization


def _make_bft(orderer: dict[str, Any], config: FabricConfig, crypto: FabricCrypto) -> None:
    """Turn the etcdraft ``orderer`` section into SmartBFT's (Fabric 3)."""
    del orderer["EtcdRaft"]
    orderer["OrdererType"] = "BFT"
    orderer["ConsenterMapping"] = [
        {
            "ID": index + 1,
            "Host": config.orderer_address(index),
            "Port": ports.port,
            "MSPID": ORDERER_MSP_ID,
            "Identity": str(crypto.orderer_msp(index) / "signcerts" / "cert.pem"),
            "ClientTLSCert": str(crypto.orderer_tls(index) / "server.crt"),
            "ServerTLSCert": str(crypto.orderer_tls(index) / "server.crt"),
        }
        for index, ports in enumerate(config.orderers)
    ]
    interval = f"{config.network.batch.batch_timeout_ms}ms"
    orderer["SmartBFT"] = {
        "RequestBatchMaxInterval": interval,
        "RequestForwardTimeout": "2s",
        "RequestComplainTimeout": "20s",
        "RequestAutoRemoveTimeout": "3m0s",
        "ViewChangeResendInterval": "5s",
        "ViewChangeTimeout": "20s",
        "LeaderHeartbeatTimeout": "1m0s",
        "CollectTimeout": "1s",
        "IncomingMessageBufferSize": 200,
        "RequestPoolSize": 100000,
        "LeaderHeartbeatCount": 10,
    }


def configtx_document(config: FabricConfig, crypto: FabricCrypto) -> dict[str, Any]:
    batch = config.network.batch
    consenters = [
        {
            "Host": config.orderer_address(index),
            "Port": orderer.port,
            "ClientTLSCert": str(crypto.orderer_tls(index) / "server.crt"),
            "ServerTLSCert": str(crypto.orderer_tls(index) / "server.crt"),
        }
        for index, orderer in enumerate(config.orderers)
    ]
    meta_policies = {
        "Readers": _implicit("ANY Readers"),
        "Writers": _implicit("ANY Writers"),
        "Admins": _implicit("MAJORITY Admins"),
    }
    orderer: dict[str, Any] = {
        "OrdererType": "etcdraft",
        "BatchTimeout": f"{batch.batch_timeout_ms}ms",
        "BatchSize": {
            "MaxMessageCount": batch.max_message_count,
            "AbsoluteMaxBytes": batch.absolute_max_bytes,
            "PreferredMaxBytes": batch.preferred_max_bytes,
        },
        "EtcdRaft": {
            "Consenters": consenters,
            "Options": {
                "TickInterval": "500ms",
                "ElectionTick": 10,
                "HeartbeatTick": 1,
                "MaxInflightBlocks": 5,
                "SnapshotIntervalSize": "16 MB",
            },
        },
        "Organizations": [_orderer_org(config, crypto)],
        "Policies": {**meta_policies, "BlockValidation": _implicit("ANY Writers")},
        "Capabilities": {"V2_0": True},
    }
    if config.consensus == "bft":
        _make_bft(orderer, config, crypto)
    application = {
        "Organizations": [_peer_org(config, crypto, m) for m in config.network.org_msp_ids],
        "Policies": {
            **meta_policies,
            "LifecycleEndorsement": _implicit("MAJORITY Endorsement"),
            "Endorsement": _implicit("MAJORITY Endorsement"),
        },
        "Capabilities": {"V2_5": True},
    }
    profile = {
        "Policies": meta_policies,
        "Capabilities": {"V3_0": True},
        "Orderer": orderer,
        "Application": application,
    }
    return {"Profiles": {PROFILE: profile}}


def write_genesis_block(
    binaries: FabricBinaries, config: FabricConfig, crypto: FabricCrypto, folder: Path
) -> Path:
    """Write ``folder/configtx.yaml`` and ``folder/<channel>.block``; return the block's path."""
    folder.mkdir(parents=True, exist_ok=True)
    block = folder / f"{config.channel}.block"
    if block.exists():
        return block
    document = configtx_document(config, crypto)
    (folder / "configtx.yaml").write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    argv = [binaries.configtxgen, "-configPath", str(folder), "-profile", PROFILE]
    argv += ["-channelID", config.channel, "-outputBlock", str(block)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    if done.returncode != 0 or not block.exists():
        raise ConfigtxError(f"configtxgen failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return block
