"""An organisation serves the chaincode from its own server.

The bring-up starts one chaincode server that every peer dials. In production each organisation
runs its own (its peers endorse with code it controls). ``use_own_chaincode_server`` gives an
organisation's peers a CCaaS package naming the organisation's server and approves the committed
definition again for that organisation with the new package id: the same sequence, nothing else
changed (Fabric's lifecycle accepts that approval; the other organisations do nothing). Start the
server with ``CHAINCODE_ID`` set to the returned package id (``gridledger-chaincode``).

    package = use_own_chaincode_server(home, "RetailerMSP", "127.0.0.1:9999")
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gridledger_network.devnet.config import ConfigError
from gridledger_network.fabric.binaries import FabricBinaries, find_binaries
from gridledger_network.fabric.config import load_fabric_config
from gridledger_network.fabric.crypto import ensure_fabric_crypto
from gridledger_network.fabric.lifecycle import (
    ChaincodePackage,
    ServerTls,
    approve,
    committed_sequence,
    install,
    write_package,
)
from gridledger_network.fabric.network import _Bringup, resolve_home


def use_own_chaincode_server(
    home: Path | str | None,
    msp_id: str,
    address: str,
    *,
    chaincode_name: str | None = None,
    binaries: FabricBinaries | None = None,
) -> ChaincodePackage:
    """Install on ``msp_id``'s peers a package naming the server at ``address`` (host:port,
    reachable from those peers; TLS as the network's chaincode server) and approve it for
    ``msp_id`` at the committed sequence. Returns the package (its id is the server's
    ``CHAINCODE_ID``). ``chaincode_name``: default the network's first chaincode."""
    path = resolve_home(home)
    config = load_fabric_config(path)
    if msp_id not in config.network.org_msp_ids:
        raise ConfigError(f"no organisation {msp_id!r} in {path}: {config.network.org_msp_ids}")
    name = chaincode_name or config.network.chaincodes[0].name
    chaincode = config.network.chaincode(name)
    if chaincode is None:
        raise ConfigError(f"no chaincode {name!r} in {path}")
    bringup = _Bringup(path, config, binaries or find_binaries())
    crypto = bringup.crypto = ensure_fabric_crypto(path / "crypto", config)
    tls_dir = crypto.layout.chaincode_tls_dir
    tls = (
        ServerTls(tls_dir / "ca.crt", tls_dir / "client.crt", tls_dir / "client.key")
        if chaincode.tls
        else None
    )
    folder = path / "chaincode" / msp_id
    package = write_package(replace(chaincode, address=address), tls, folder)
    peer_cli = bringup.binaries.peer
    for index in config.peer_indices(msp_id):
        install(peer_cli, bringup._peer_env(msp_id, index), package)
    env = bringup._peer_env(msp_id)
    approve(
        peer_cli,
        env,
        channel=config.channel,
        chaincode=chaincode,
        package=package,
        orderer=bringup._orderer_address(),
        orderer_tls_ca=crypto.orderer_tlsca,
        folder=folder,
        sequence=committed_sequence(peer_cli, env, config.channel, name),
    )
    return package
