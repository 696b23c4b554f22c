"""``gridledger network fabric bundle HOST``: what an operator copies to one host of fabric.yaml.

``HOST`` is an organisation (its MSP id: every peer of it), an orderer (``orderer0``..) or an
address of fabric.yaml (every node listening there). The bundle folder holds:

```
crypto/        every certificate of the network (public), the private keys of this host's nodes
               and of its organisations' Admin (to join channels); no CA key, no key of
               another organisation
nodes/<node>/  core.yaml.in or orderer.yaml.in: the configuration the bring-up writes
               (node_config.py), with the bundle's folder as ``__BUNDLE__``
builder/       the CCaaS external builder (peers)
channel/       the channel's genesis block (to join: ``peer channel join`` / ``osnadmin``)
network.json   connection profile: every organisation's endpoints and TLS CA; users of this
               host's organisations (paths relative to the bundle)
start.sh       ``./start.sh`` starts every node of the host in the background (pids in
               nodes/<node>/pid, logs in logs/); ``./start.sh NODE`` runs one in the foreground
```

Fabric's ``peer``/``orderer`` come from ``$FABRIC_BIN`` or the ``PATH`` on that host.
"""

from __future__ import annotations

import json
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridledger_domain.errors import GridLedgerError

from gridledger_network.devnet.config import ORDERER_MSP_ID
from gridledger_network.devnet.crypto.layout import CryptoLayout
from gridledger_network.fabric.binaries import FabricBinaries, find_binaries
from gridledger_network.fabric.config import FabricConfig, load_fabric_config
from gridledger_network.fabric.crypto import FabricCrypto
from gridledger_network.fabric.network import (
    BUILDER_SOURCE,
    all_peers,
    orderer_name,
    peer_name,
    resolve_home,
)
from gridledger_network.fabric.node_config import write_core_yaml, write_orderer_yaml
from gridledger_network.home import NETWORK_FILE

PLACEHOLDER = "__BUNDLE__"
KEY_MARKERS = (b"PRIVATE KEY",)

START_SCRIPT = """#!/bin/sh
# Start this host's Fabric nodes: ./start.sh (all, in the background) or ./start.sh NODE (one,
# in the foreground). Fabric's peer and orderer come from $FABRIC_BIN or the PATH.
set -eu
BUNDLE=$(cd "$(dirname "$0")" && pwd)
BIN=${FABRIC_BIN:+$FABRIC_BIN/}
NODES="@NODES@"

prepare() {  # nodes/NAME/KIND.yaml from the template, naming this folder
    for template in "$BUNDLE/nodes/$1/"*.yaml.in; do
        sed "s#@PLACEHOLDER@#$BUNDLE#g" "$template" > "${template%.in}"
    done
}

command_of() {
    if [ -f "$BUNDLE/nodes/$1/orderer.yaml.in" ]; then echo "${BIN}orderer"
    else echo "${BIN}peer node start"; fi
}

run() {
    prepare "$1"
    FABRIC_CFG_PATH="$BUNDLE/nodes/$1" CORE_VM_ENDPOINT= exec $(command_of "$1")
}

if [ $# -eq 1 ]; then
    case " $NODES " in *" $1 "*) run "$1" ;; esac
    echo "no node $1 on this host; it runs: $NODES" >&2
    exit 2
fi
mkdir -p "$BUNDLE/logs"
for node in $NODES; do
    "$0" "$node" > "$BUNDLE/logs/$node.log" 2>&1 &
    echo $! > "$BUNDLE/nodes/$node/pid"
    echo "started $node (pid $!)"
done
"""


class BundleError(GridLedgerError):
    """No such host in fabric.yaml, or the network's material is missing."""


@dataclass(frozen=True, slots=True)
class Bundle:
    folder: Path
    host: str
    nodes: tuple[str, ...]
    orgs: tuple[str, ...]  # the organisations (MSP ids) whose private keys it holds


def host_nodes(config: FabricConfig, host: str) -> tuple[list[tuple[str, int]], list[int]]:
    """The peers (organisation, index) and orderers (index) of ``host``."""
    orderers = [i for i in range(len(config.orderers)) if host in (orderer_name(i),)]
    peers = [(m, i) for m, i in all_peers(config) if host == m]
    if not orderers and not peers:
        orderers = [i for i in range(len(config.orderers)) if config.orderer_address(i) == host]
        peers = [(m, i) for m, i in all_peers(config) if config.peer_address(m) == host]
    if not orderers and not peers:
        known = [
            *config.network.org_msp_ids,
            *(orderer_name(i) for i in range(len(config.orderers))),
        ]
        raise BundleError(f"no host {host!r} in fabric.yaml: name one of {known} or an address")
    return peers, orderers


def _private_allowed(path: Path, allowed: list[Path]) -> bool:
    return any(path.is_relative_to(folder) for folder in allowed)


def _copy_crypto(source: Path, target: Path, allowed: list[Path]) -> None:
    """Every file of ``source`` but private keys outside ``allowed`` (CA keys never)."""
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if any(marker in data for marker in KEY_MARKERS) and not _private_allowed(path, allowed):
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
        destination.chmod(path.stat().st_mode & 0o777)


def _template(written: Path, folder: Path) -> None:
    """``written`` (naming ``folder``) as ``written.in`` naming the placeholder."""
    text = written.read_text(encoding="utf-8").replace(str(folder), PLACEHOLDER)
    written.with_name(written.name + ".in").write_text(text, encoding="utf-8")
    written.unlink()


def _profile(home: Path, config: FabricConfig, layout: CryptoLayout, orgs: list[str]) -> Any:
    document: dict[str, Any] = json.loads((home / NETWORK_FILE).read_text(encoding="utf-8"))
    for msp_id, org in document["organizations"].items():
        org["tls_ca_cert"] = str(layout.tlsca_cert(msp_id).relative_to(layout.root.parent))
        org["users"] = (
            {name: str(Path(path).relative_to(home)) for name, path in org["users"].items()}
            if msp_id in orgs
            else {}
        )
    for key in ("pid", "processes", "orderer_admin"):
        document.pop(key, None)
    for orderer in document.get("orderers", []):
        orderer.pop("pid", None)
    document["orderer_tls_ca_cert"] = str(
        layout.tlsca_cert(ORDERER_MSP_ID).relative_to(layout.root.parent)
    )
    return document


def write_bundle(
    home: Path | str | None,
    host: str,
    out: Path | str,
    *,
    binaries: FabricBinaries | None = None,
) -> Bundle:
    """Write the bundle of ``host`` to the folder ``out`` (made; must not exist or be empty)."""
    path = resolve_home(home)
    if not (path / NETWORK_FILE).exists():
        raise BundleError(f"no network.json in {path}: bring the network up first")
    config = load_fabric_config(path)
    binaries = binaries or find_binaries()
    peers, orderers = host_nodes(config, host)
    folder = Path(out).resolve()
    if folder.exists() and any(folder.iterdir()):
        raise BundleError(f"{folder} is not empty; name a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    source = FabricCrypto(CryptoLayout(path / "crypto"))
    crypto = FabricCrypto(CryptoLayout(folder / "crypto"))
    orgs = sorted({m for m, _ in peers} | ({ORDERER_MSP_ID} if orderers else set()))
    allowed = [source.peer_dir(m, i) for m, i in peers]
    allowed += [source.orderer_dir(i) for i in orderers]
    allowed += [source.admin_msp(m).parent for m in orgs]
    _copy_crypto(path / "crypto", folder / "crypto", allowed)
    shutil.copytree(BUILDER_SOURCE, folder / "builder", dirs_exist_ok=True)
    for script in (folder / "builder" / "bin").iterdir():
        script.chmod(0o755)
    (folder / "channel").mkdir()
    shutil.copy2(path / "channel" / f"{config.channel}.block", folder / "channel")
    nodes: list[str] = []
    for msp_id, index in peers:
        name = peer_name(msp_id, index)
        neighbour = (index + 1) % config.peer_count(msp_id)
        ports = config.node_ports(msp_id, index)
        written = write_core_yaml(
            binaries.config_dir,
            folder / "nodes" / name,
            msp_id=msp_id,
            index=index,
            host=config.peer_address(msp_id),
            ports=ports,
            crypto=crypto,
            builder_dir=folder / "builder",
            bootstrap=f"{config.peer_address(msp_id)}:{config.node_ports(msp_id, neighbour).port}",
        )
        _template(written, folder)
        nodes.append(name)
    for index in orderers:
        name = orderer_name(index)
        written = write_orderer_yaml(
            binaries.config_dir,
            folder / "nodes" / name,
            index=index,
            host=config.orderer_address(index),
            ports=config.orderers[index],
            crypto=crypto,
        )
        _template(written, folder)
        nodes.append(name)
    profile = _profile(path, config, crypto.layout, orgs)
    (folder / NETWORK_FILE).write_text(json.dumps(profile, indent=2), encoding="utf-8")
    script = folder / "start.sh"
    text = START_SCRIPT.replace("@NODES@", " ".join(nodes)).replace("@PLACEHOLDER@", PLACEHOLDER)
    script.write_text(text, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return Bundle(folder, host, tuple(nodes), tuple(orgs))
