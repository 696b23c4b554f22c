"""Where the devnet's crypto material lives: the cryptogen layout of docs/devnet.md."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gridledger_network.devnet.config import ORDERER_DOMAIN, ORDERER_MSP_ID, org_domain


@dataclass(frozen=True, slots=True)
class CryptoLayout:
    """Paths under ``DIR/crypto``; every method is pure path arithmetic."""

    root: Path

    @staticmethod
    def domain(msp_id: str) -> str:
        return ORDERER_DOMAIN if msp_id == ORDERER_MSP_ID else org_domain(msp_id)

    def org_dir(self, msp_id: str) -> Path:
        kind = "ordererOrganizations" if msp_id == ORDERER_MSP_ID else "peerOrganizations"
        return self.root / kind / self.domain(msp_id)

    def ca_cert(self, msp_id: str) -> Path:
        return self.org_dir(msp_id) / "ca" / f"ca.{self.domain(msp_id)}-cert.pem"

    def ca_key(self, msp_id: str) -> Path:
        return self.org_dir(msp_id) / "ca" / "priv_sk"

    def tlsca_cert(self, msp_id: str) -> Path:
        return self.org_dir(msp_id) / "tlsca" / f"tlsca.{self.domain(msp_id)}-cert.pem"

    def tlsca_key(self, msp_id: str) -> Path:
        return self.org_dir(msp_id) / "tlsca" / "priv_sk"

    def org_msp_dir(self, msp_id: str) -> Path:
        return self.org_dir(msp_id) / "msp"

    def node_host(self, msp_id: str) -> str:
        """``peer0.<domain>``, or ``orderer0.<orderer domain>`` for the orderer org."""
        prefix = "orderer0" if msp_id == ORDERER_MSP_ID else "peer0"
        return f"{prefix}.{self.domain(msp_id)}"

    def node_dir(self, msp_id: str) -> Path:
        kind = "orderers" if msp_id == ORDERER_MSP_ID else "peers"
        return self.org_dir(msp_id) / kind / self.node_host(msp_id)

    def node_msp_dir(self, msp_id: str) -> Path:
        return self.node_dir(msp_id) / "msp"

    def node_tls_dir(self, msp_id: str) -> Path:
        """Holds ``ca.crt``, ``server.crt``, ``server.key``."""
        return self.node_dir(msp_id) / "tls"

    def user_msp_dir(self, msp_id: str, name: str) -> Path:
        return self.org_dir(msp_id) / "users" / f"{name}@{self.domain(msp_id)}" / "msp"

    @property
    def chaincode_tls_dir(self) -> Path:
        """Holds ``ca.crt``, ``server.crt``, ``server.key``, ``client.crt``, ``client.key``."""
        return self.root / "chaincode" / "tls"
