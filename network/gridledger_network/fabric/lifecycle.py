"""Chaincode lifecycle for CCaaS: package, install on every peer, approve per org, commit.

The package is what ``peer lifecycle chaincode package`` makes for CCaaS: a ``.tar.gz`` holding
``metadata.json`` (``{"type": "ccaas", "label": ...}``) and ``code.tar.gz`` (``connection.json``
telling the peer where the chaincode server is, with the TLS material to dial it). Its package id
is ``<label>:<sha256 of the package file>``; every peer installing it gets the same id, so one
chaincode server serves them all.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridledger_network.devnet.config import ChaincodeConfig
from gridledger_network.fabric.admin import run_until_ok

SEQUENCE = 1
DIAL_TIMEOUT = "10s"
# what the peer CLI answers when a lifecycle step was done before (by an earlier, cut-short run)
ALREADY_DONE = {
    "approveformyorg": (
        "attempted to redefine uncommitted sequence",
        "new definition must be sequence",
    ),
    "commit": ("new definition must be sequence",),
}


@dataclass(frozen=True, slots=True)
class ChaincodePackage:
    name: str
    label: str
    path: Path
    package_id: str


@dataclass(frozen=True, slots=True)
class ServerTls:
    """What the peers use to dial the chaincode server (CCaaS TLS, mutual)."""

    root_cert: Path
    client_cert: Path
    client_key: Path


def _tar_gz(files: dict[str, bytes]) -> bytes:
    """A reproducible ``.tar.gz``: no timestamps, so the same inputs give the same package id."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.GNU_FORMAT) as archive,
    ):
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def connection_json(address: str, tls: ServerTls | None) -> dict[str, Any]:
    document: dict[str, Any] = {"address": address, "dial_timeout": DIAL_TIMEOUT}
    if tls is None:
        document["tls_required"] = False
        return document
    document.update(
        {
            "tls_required": True,
            "client_auth_required": True,
            "client_cert": tls.client_cert.read_text(encoding="utf-8"),
            "client_key": tls.client_key.read_text(encoding="utf-8"),
            "root_cert": tls.root_cert.read_text(encoding="utf-8"),
        }
    )
    return document


def write_package(
    chaincode: ChaincodeConfig, tls: ServerTls | None, folder: Path
) -> ChaincodePackage:
    """Write ``folder/<name>.tar.gz`` (CCaaS) and return it with its package id.

    An existing package file is kept as it is: it is what the peers installed.
    """
    label = f"{chaincode.name}_{chaincode.version}"
    path = folder / f"{chaincode.name}.tar.gz"
    if not path.exists():
        connection = json.dumps(connection_json(chaincode.address, tls), indent=2).encode()
        code = _tar_gz({"connection.json": connection})
        metadata = json.dumps({"type": "ccaas", "label": label}).encode()
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_tar_gz({"code.tar.gz": code, "metadata.json": metadata}))
    package_id = f"{label}:{hashlib.sha256(path.read_bytes()).hexdigest()}"
    return ChaincodePackage(chaincode.name, label, path, package_id)


def collections_config(chaincode: ChaincodeConfig) -> list[dict[str, Any]]:
    """The chaincode's static collections (its meter-data ones included) as Fabric's
    ``--collections-config`` JSON: members store, member-only reads/writes as configured."""
    return [
        {
            "name": collection.name,
            "policy": "OR(" + ",".join(f"'{m}.member'" for m in collection.members) + ")",
            "requiredPeerCount": collection.required_peer_count,
            "maxPeerCount": collection.max_peer_count,
            "blockToLive": collection.block_to_live,
            "memberOnlyRead": collection.member_only_read,
            "memberOnlyWrite": collection.member_only_write,
            **(
                {"endorsementPolicy": {"signaturePolicy": collection.endorsement_policy}}
                if collection.endorsement_policy
                else {}
            ),
        }
        for collection in chaincode.collections
    ]


def install(peer_cli: str, env: dict[str, str], package: ChaincodePackage) -> None:
    run_until_ok(
        [peer_cli, "lifecycle", "chaincode", "install", str(package.path)],
        env,
        what=f"install {package.label} on {env['CORE_PEER_ADDRESS']}",
        accept=("chaincode already successfully installed",),
    )


def _definition_args(
    channel: str, chaincode: ChaincodeConfig, folder: Path, sequence: int = SEQUENCE
) -> list[str]:
    args = ["--channelID", channel, "--name", chaincode.name, "--version", chaincode.version]
    args += ["--sequence", str(sequence), "--signature-policy", chaincode.policy]
    if chaincode.collections:
        path = folder / f"{chaincode.name}-collections.json"
        path.write_text(json.dumps(collections_config(chaincode), indent=2), encoding="utf-8")
        args += ["--collections-config", str(path)]
    return args


def _order_definition(
    peer_cli: str, env: dict[str, str], step: str, options: list[str], what: str
) -> None:
    """``peer lifecycle chaincode <step>``, retried until done (or found done already)."""
    argv = [peer_cli, "lifecycle", "chaincode", step, *options]
    accept = ALREADY_DONE[step]
    run_until_ok(argv, env, what=what, deadline_seconds=90, accept=accept, interval=1.0)


def approve(
    peer_cli: str,
    env: dict[str, str],
    *,
    channel: str,
    chaincode: ChaincodeConfig,
    package: ChaincodePackage,
    orderer: str,
    orderer_tls_ca: Path,
    folder: Path,
    sequence: int = SEQUENCE,
) -> None:
    options = ["-o", orderer, "--tls", "--cafile", str(orderer_tls_ca)]
    options += ["--package-id", package.package_id]
    options += _definition_args(channel, chaincode, folder, sequence)
    what = f"approve {chaincode.name} for {env['CORE_PEER_LOCALMSPID']}"
    _order_definition(peer_cli, env, "approveformyorg", options, what)


def commit(
    peer_cli: str,
    env: dict[str, str],
    *,
    channel: str,
    chaincode: ChaincodeConfig,
    orderer: str,
    orderer_tls_ca: Path,
    peers: list[tuple[str, Path]],
    folder: Path,
    sequence: int = SEQUENCE,
) -> None:
    options = ["-o", orderer, "--tls", "--cafile", str(orderer_tls_ca)]
    for address, tls_ca in peers:
        options += ["--peerAddresses", address, "--tlsRootCertFiles", str(tls_ca)]
    options += _definition_args(channel, chaincode, folder, sequence)
    _order_definition(peer_cli, env, "commit", options, f"commit {chaincode.name}")


def committed_sequence(peer_cli: str, env: dict[str, str], channel: str, name: str) -> int:
    """The sequence of ``name``'s definition committed on ``channel`` (asked of ``env``'s peer)."""
    argv = [peer_cli, "lifecycle", "chaincode", "querycommitted"]
    argv += ["--channelID", channel, "--name", name, "-O", "json"]
    result = run_until_ok(argv, env, what=f"querycommitted {name}")
    sequence: int = json.loads(result.output)["sequence"]
    return sequence
