"""NodeOU configuration of an MSP folder (config.yaml), as Fabric CA and cryptogen write it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_ROLE_KEYS = {
    "client": "ClientOUIdentifier",
    "peer": "PeerOUIdentifier",
    "admin": "AdminOUIdentifier",
    "orderer": "OrdererOUIdentifier",
}


@dataclass(frozen=True)
class NodeOUs:
    """Whether NodeOUs are enabled and which subject OU names each role."""

    enabled: bool = False
    identifiers: dict[str, str] = field(default_factory=dict)  # role -> OU name

    def role_of(self, organizational_units: list[str]) -> str | None:
        """The role (client, peer, admin, orderer) whose OU the subject carries."""
        if not self.enabled:
            return None
        for role, ou in self.identifiers.items():
            if ou in organizational_units:
                return role
        return None


def read_node_ous(msp_dir: Path) -> NodeOUs:
    """Read ``msp_dir/config.yaml``; a missing file means NodeOUs disabled."""
    path = msp_dir / "config.yaml"
    if not path.is_file():
        return NodeOUs()
    document: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    section = document.get("NodeOUs") if isinstance(document, dict) else None
    if not isinstance(section, dict):
        return NodeOUs()
    identifiers: dict[str, str] = {}
    for role, key in _ROLE_KEYS.items():
        entry = section.get(key)
        if isinstance(entry, dict) and entry.get("OrganizationalUnitIdentifier"):
            identifiers[role] = str(entry["OrganizationalUnitIdentifier"])
    return NodeOUs(enabled=bool(section.get("Enable", False)), identifiers=identifiers)
