"""Crypto material for real Fabric: the devnet's generator, plus more orderers and admin TLS.

Same cryptogen layout as the devnet (docs/devnet.md). Added here: ``orderer1``, ``orderer2`` of
the orderer org when three Raft nodes run, and a TLS client pair for the orderer org's Admin
(``users/Admin@orderer.../tls/client.{crt,key}``) that osnadmin presents to the admin endpoint.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from gridledger_network.devnet.config import ORDERER_DOMAIN, ORDERER_MSP_ID, DevnetConfig
from gridledger_network.devnet.crypto.certificates import (
    issue_identity,
    issue_tls,
    load_issued,
    write_file,
)
from gridledger_network.devnet.crypto.generate import ensure_crypto_material
from gridledger_network.devnet.crypto.layout import CryptoLayout

LOCAL_HOSTS = ("localhost", "127.0.0.1")


@dataclass(frozen=True, slots=True)
class FabricCrypto:
    """Paths the bring-up needs, on top of the devnet's ``CryptoLayout``."""

    layout: CryptoLayout

    @staticmethod
    def orderer_host(index: int) -> str:
        return f"orderer{index}.{ORDERER_DOMAIN}"

    def orderer_dir(self, index: int) -> Path:
        return self.layout.org_dir(ORDERER_MSP_ID) / "orderers" / self.orderer_host(index)

    def orderer_msp(self, index: int) -> Path:
        return self.orderer_dir(index) / "msp"

    def orderer_tls(self, index: int) -> Path:
        return self.orderer_dir(index) / "tls"

    @property
    def orderer_tlsca(self) -> Path:
        return self.layout.tlsca_cert(ORDERER_MSP_ID)

    @property
    def orderer_admin_tls(self) -> Path:
        """``client.crt``/``client.key`` of the orderer org's Admin, for osnadmin."""
        return self.layout.user_msp_dir(ORDERER_MSP_ID, "Admin").parent / "tls"

    def peer_dir(self, msp_id: str) -> Path:
        return self.layout.node_dir(msp_id)

    def admin_msp(self, msp_id: str) -> Path:
        return self.layout.user_msp_dir(msp_id, "Admin")


def ensure_fabric_crypto(root: Path, network: DevnetConfig, orderers: int) -> FabricCrypto:
    """Everything the devnet makes, plus extra orderers and the orderer admin's TLS pair."""
    layout = ensure_crypto_material(root, network)
    crypto = FabricCrypto(layout)
    ca = load_issued(layout.ca_cert(ORDERER_MSP_ID), layout.ca_key(ORDERER_MSP_ID))
    tlsca = load_issued(layout.tlsca_cert(ORDERER_MSP_ID), layout.tlsca_key(ORDERER_MSP_ID))
    org_msp = layout.org_msp_dir(ORDERER_MSP_ID)
    for index in range(1, orderers):
        host = crypto.orderer_host(index)
        msp_dir = crypto.orderer_msp(index)
        if not (msp_dir / "signcerts" / "cert.pem").exists():
            shutil.copytree(org_msp, msp_dir, dirs_exist_ok=True)
            identity = issue_identity(ca, host, "orderer")
            write_file(msp_dir / "keystore" / "priv_sk", identity.key_pem, private=True)
            write_file(msp_dir / "signcerts" / "cert.pem", identity.cert_pem)
        tls_dir = crypto.orderer_tls(index)
        if not (tls_dir / "server.crt").exists():
            pair = issue_tls(tlsca, host, [host, *LOCAL_HOSTS])
            write_file(tls_dir / "ca.crt", tlsca.cert_pem)
            write_file(tls_dir / "server.key", pair.key_pem, private=True)
            write_file(tls_dir / "server.crt", pair.cert_pem)
    admin_tls = crypto.orderer_admin_tls
    if not (admin_tls / "client.crt").exists():
        pair = issue_tls(tlsca, f"Admin@{ORDERER_DOMAIN}", list(LOCAL_HOSTS))
        write_file(admin_tls / "ca.crt", tlsca.cert_pem)
        write_file(admin_tls / "client.key", pair.key_pem, private=True)
        write_file(admin_tls / "client.crt", pair.cert_pem)
    return crypto
