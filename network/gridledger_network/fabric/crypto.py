"""Crypto material for real Fabric: the devnet's generator, plus more orderers and admin TLS.

Same cryptogen layout as the devnet (docs/devnet.md). Added here: ``orderer1``, ``orderer2`` of
the orderer org when three Raft nodes run, ``peer1``.. of an organisation with more than one peer,
and a TLS client pair for the orderer org's Admin (``users/Admin@orderer.../tls/client.{crt,key}``)
that osnadmin presents to the admin endpoint. Every node's TLS certificate names its host name and
its address from ``fabric.yaml`` (and localhost, 127.0.0.1); one missing a name is issued again.
"""

from __future__ import annotations

import ipaddress
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from gridledger_network.devnet.config import ORDERER_DOMAIN, ORDERER_MSP_ID
from gridledger_network.devnet.crypto.certificates import (
    Issued,
    issue_identity,
    issue_tls,
    load_issued,
    write_file,
)
from gridledger_network.devnet.crypto.generate import ensure_crypto_material
from gridledger_network.devnet.crypto.layout import CryptoLayout
from gridledger_network.fabric.config import FabricConfig

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

    def peer_host(self, msp_id: str, index: int = 0) -> str:
        return f"peer{index}.{self.layout.domain(msp_id)}"

    def peer_dir(self, msp_id: str, index: int = 0) -> Path:
        return self.layout.org_dir(msp_id) / "peers" / self.peer_host(msp_id, index)

    def admin_msp(self, msp_id: str) -> Path:
        return self.layout.user_msp_dir(msp_id, "Admin")


def _san_names(cert_path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    names = {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}
    return names | set(sans.get_values_for_type(x509.DNSName))


def _ensure_node_tls(tls_dir: Path, tlsca: Issued, host: str, hosts: Sequence[str]) -> None:
    """``server.{crt,key}`` naming every one of ``hosts``; issued again if one is missing."""
    wanted = {str(ipaddress.ip_address(h)) if _is_ip(h) else h for h in hosts}
    cert = tls_dir / "server.crt"
    if cert.exists() and wanted <= _san_names(cert):
        return
    pair = issue_tls(tlsca, host, list(hosts))
    write_file(tls_dir / "ca.crt", tlsca.cert_pem)
    write_file(tls_dir / "server.key", pair.key_pem, private=True)
    write_file(cert, pair.cert_pem)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _ensure_node(
    crypto: FabricCrypto, msp_id: str, node_dir: Path, host: str, address: str, ou: str
) -> None:
    """A node's MSP (the org's skeleton and its own identity) and its TLS pair."""
    layout = crypto.layout
    ca = load_issued(layout.ca_cert(msp_id), layout.ca_key(msp_id))
    tlsca = load_issued(layout.tlsca_cert(msp_id), layout.tlsca_key(msp_id))
    msp_dir = node_dir / "msp"
    if not (msp_dir / "signcerts" / "cert.pem").exists():
        shutil.copytree(layout.org_msp_dir(msp_id), msp_dir, dirs_exist_ok=True)
        identity = issue_identity(ca, host, ou)
        write_file(msp_dir / "keystore" / "priv_sk", identity.key_pem, private=True)
        write_file(msp_dir / "signcerts" / "cert.pem", identity.cert_pem)
    _ensure_node_tls(node_dir / "tls", tlsca, host, [host, address, *LOCAL_HOSTS])


def ensure_fabric_crypto(root: Path, config: FabricConfig) -> FabricCrypto:
    """Everything the devnet makes, plus every orderer and peer of ``config`` (TLS naming their
    host names and addresses) and the orderer admin's TLS pair."""
    layout = ensure_crypto_material(root, config.network)
    crypto = FabricCrypto(layout)
    for index in range(len(config.orderers)):
        host = crypto.orderer_host(index)
        address = config.orderer_address(index)
        _ensure_node(crypto, ORDERER_MSP_ID, crypto.orderer_dir(index), host, address, "orderer")
    for msp_id in config.network.org_msp_ids:
        for index in config.peer_indices(msp_id):
            host = crypto.peer_host(msp_id, index)
            node_dir = crypto.peer_dir(msp_id, index)
            _ensure_node(crypto, msp_id, node_dir, host, config.peer_address(msp_id), "peer")
    tlsca = load_issued(layout.tlsca_cert(ORDERER_MSP_ID), layout.tlsca_key(ORDERER_MSP_ID))
    admin_tls = crypto.orderer_admin_tls
    if not (admin_tls / "client.crt").exists():
        pair = issue_tls(tlsca, f"Admin@{ORDERER_DOMAIN}", list(LOCAL_HOSTS))
        write_file(admin_tls / "ca.crt", tlsca.cert_pem)
        write_file(admin_tls / "client.key", pair.key_pem, private=True)
        write_file(admin_tls / "client.crt", pair.cert_pem)
    return crypto
