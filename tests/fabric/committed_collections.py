"""What a real Fabric channel committed as a chaincode's collections, read back with
``peer lifecycle chaincode querycommitted --output json`` as an organisation's Admin, in a form
comparable with devnet.yaml's ``CollectionConfig``."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fabric_protos.msp import msp_principal_pb2
from gridledger_network.devnet.config import CollectionConfig
from gridledger_network.fabric.admin import run_command
from gridledger_network.fabric.binaries import find_binaries
from gridledger_network.fabric.config import FabricConfig
from gridledger_network.fabric.crypto import ensure_fabric_crypto
from gridledger_network.fabric.network import _Bringup

ROLES = {0: "member", 1: "admin", 2: "client", 3: "peer"}


def _principals(policy: dict[str, Any]) -> list[str]:
    names = []
    for identity in policy.get("identities", []):
        role = msp_principal_pb2.MSPRole.FromString(base64.b64decode(identity["principal"]))
        names.append(f"{role.msp_identifier}.{ROLES[role.role]}")
    return names


def _summary(static: dict[str, Any]) -> dict[str, Any]:
    members = static["member_orgs_policy"]["Payload"]["SignaturePolicy"]
    endorsement = static.get("endorsement_policy", {}).get("Type", {}).get("SignaturePolicy")
    return {
        "members": _principals(members),
        "endorsement": (
            None
            if endorsement is None
            else [endorsement["rule"]["Type"]["NOutOf"]["n"], _principals(endorsement)]
        ),
        "required_peer_count": static.get("required_peer_count", 0),
        "max_peer_count": static.get("maximum_peer_count", 0),
        "block_to_live": int(static.get("block_to_live", 0)),
        "member_only_read": static.get("member_only_read", False),
        "member_only_write": static.get("member_only_write", False),
    }


def committed_definition(home: Path, config: FabricConfig, chaincode: str) -> dict[str, Any]:
    """``{"sequence": N, "collections": {name: summary}}`` from the first organisation's peer."""
    bringup = _Bringup(home, config, find_binaries())
    bringup.crypto = ensure_fabric_crypto(home / "crypto", config)
    argv = [bringup.binaries.peer, "lifecycle", "chaincode", "querycommitted"]
    argv += ["--channelID", config.channel, "--name", chaincode, "--output", "json"]
    result = run_command(argv, bringup._peer_env(config.network.org_msp_ids[0]), timeout=60)
    assert result.ok, result.output
    document = json.loads(result.output)
    collections = {}
    for entry in document.get("collections", {}).get("config", []):
        static = entry["Payload"]["StaticCollectionConfig"]
        collections[static["name"]] = _summary(static)
    return {"sequence": int(document["sequence"]), "collections": collections}


def expected_meter_data(collections: Iterable[CollectionConfig]) -> dict[str, dict[str, Any]]:
    """The summaries Fabric should show for derived meter-data collections (their endorsement
    policy needs every member's peer: ``AND`` of both, or ``OR`` of the utility's alone)."""
    return {
        c.name: {
            "members": [f"{m}.member" for m in c.members],
            "endorsement": [len(c.members), [f"{m}.peer" for m in c.members]],
            "required_peer_count": c.required_peer_count,
            "max_peer_count": c.max_peer_count,
            "block_to_live": c.block_to_live,
            "member_only_read": c.member_only_read,
            "member_only_write": c.member_only_write,
        }
        for c in collections
    }
