"""Where things are: the repository's Node package and a devnet home's chaincode TLS files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = REPO_ROOT / "tests" / "conformance" / "node"
NODE_MODULES = NODE_DIR / "node_modules"
NODE_CHAINCODE_DIR = NODE_DIR / "chaincode"
NODE_CLIENT_SCRIPT = NODE_DIR / "client" / "scenario.mjs"
FABRIC_CHAINCODE_NODE = NODE_MODULES / ".bin" / "fabric-chaincode-node"


def node_packages_installed() -> bool:
    return (NODE_MODULES / ".package-lock.json").is_file() and FABRIC_CHAINCODE_NODE.exists()


@dataclass(frozen=True, slots=True)
class ChaincodeTls:
    """The CCaaS TLS material a devnet generates under ``crypto/chaincode/tls``."""

    directory: Path

    @classmethod
    def of_home(cls, home: Path) -> ChaincodeTls:
        return cls(home / "crypto" / "chaincode" / "tls")

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.crt"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    def exists(self) -> bool:
        return all(p.is_file() for p in (self.ca_cert, self.server_cert, self.server_key))
