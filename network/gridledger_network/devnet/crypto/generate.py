"""Generate the devnet's crypto material on first start; keep whatever already exists."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from gridledger_network.devnet.config import ORDERER_MSP_ID, DevnetConfig
from gridledger_network.devnet.crypto.certificates import (
    Issued,
    issue_ca,
    issue_identity,
    issue_tls,
    load_issued,
    write_file,
)
from gridledger_network.devnet.crypto.layout import CryptoLayout

log = logging.getLogger(__name__)

NODE_OUS_YAML = """NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: cacerts/{ca}
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: cacerts/{ca}
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: cacerts/{ca}
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: cacerts/{ca}
    OrganizationalUnitIdentifier: orderer
"""


def ensure_crypto_material(crypto_root: Path, config: DevnetConfig) -> CryptoLayout:
    """Create every missing CA, identity and TLS pair for the orgs and users of ``config``."""
    layout = CryptoLayout(crypto_root)
    for msp_id in [ORDERER_MSP_ID, *config.org_msp_ids]:
        _ensure_org(layout, msp_id, config)
    _ensure_chaincode_tls(layout, config)
    return layout


def _ensure_ca(cert_path: Path, key_path: Path, common_name: str, org: str) -> Issued:
    if cert_path.exists() and key_path.exists():
        return load_issued(cert_path, key_path)
    ca = issue_ca(common_name, org)
    write_file(key_path, ca.key_pem, private=True)
    write_file(cert_path, ca.cert_pem)
    return ca


def _ensure_org(layout: CryptoLayout, msp_id: str, config: DevnetConfig) -> None:
    domain = layout.domain(msp_id)
    ca = _ensure_ca(layout.ca_cert(msp_id), layout.ca_key(msp_id), f"ca.{domain}", domain)
    tlsca = _ensure_ca(
        layout.tlsca_cert(msp_id), layout.tlsca_key(msp_id), f"tlsca.{domain}", domain
    )
    _write_msp_skeleton(layout, msp_id, layout.org_msp_dir(msp_id), ca, tlsca)

    node_ou = "orderer" if msp_id == ORDERER_MSP_ID else "peer"
    host = layout.node_host(msp_id)
    _ensure_identity(layout, msp_id, layout.node_msp_dir(msp_id), ca, tlsca, host, node_ou)
    _ensure_node_tls(layout.node_tls_dir(msp_id), tlsca, host)

    users: list[tuple[str, str, Mapping[str, str] | None]] = [("Admin", "admin", None)]
    if msp_id != ORDERER_MSP_ID:
        users.append(("User1", "client", None))
    for user in config.users:
        if user.org == msp_id:
            attrs: dict[str, str] = {
                "hf.Affiliation": "",
                "hf.EnrollmentID": user.name,
                "hf.Type": user.ou,
                **user.attrs,
            }
            users.append((user.name, user.ou, attrs))
    for name, ou, user_attrs in users:
        msp_dir = layout.user_msp_dir(msp_id, name)
        _ensure_identity(layout, msp_id, msp_dir, ca, tlsca, f"{name}@{domain}", ou, user_attrs)


def _write_msp_skeleton(
    layout: CryptoLayout, msp_id: str, msp_dir: Path, ca: Issued, tlsca: Issued
) -> None:
    ca_name = layout.ca_cert(msp_id).name
    files = {
        msp_dir / "cacerts" / ca_name: ca.cert_pem,
        msp_dir / "tlscacerts" / layout.tlsca_cert(msp_id).name: tlsca.cert_pem,
        msp_dir / "config.yaml": NODE_OUS_YAML.format(ca=ca_name).encode(),
    }
    for path, data in files.items():
        if not path.exists():
            write_file(path, data)


def _ensure_identity(
    layout: CryptoLayout,
    msp_id: str,
    msp_dir: Path,
    ca: Issued,
    tlsca: Issued,
    common_name: str,
    ou: str,
    attrs: Mapping[str, str] | None = None,
) -> None:
    _write_msp_skeleton(layout, msp_id, msp_dir, ca, tlsca)
    cert_path = msp_dir / "signcerts" / "cert.pem"
    if cert_path.exists():
        return
    log.debug("issuing %s (%s, %s)", common_name, msp_id, ou)
    identity = issue_identity(ca, common_name, ou, attrs)
    write_file(msp_dir / "keystore" / "priv_sk", identity.key_pem, private=True)
    write_file(cert_path, identity.cert_pem)  # written last: its presence means complete


def _ensure_node_tls(tls_dir: Path, tlsca: Issued, host: str) -> None:
    if (tls_dir / "server.crt").exists():
        return
    pair = issue_tls(tlsca, host, [host, "localhost", "127.0.0.1"])
    write_file(tls_dir / "ca.crt", tlsca.cert_pem)
    write_file(tls_dir / "server.key", pair.key_pem, private=True)
    write_file(tls_dir / "server.crt", pair.cert_pem)


def _ensure_chaincode_tls(layout: CryptoLayout, config: DevnetConfig) -> None:
    tls_dir = layout.chaincode_tls_dir
    if (tls_dir / "client.crt").exists():
        return
    ca = issue_ca("tlsca.chaincode.gridledger.local", "chaincode.gridledger.local")
    hosts = ["localhost", "127.0.0.1", "chaincode.gridledger.local"]
    hosts += [c.address.rsplit(":", 1)[0] for c in config.chaincodes]
    server = issue_tls(ca, "chaincode.gridledger.local", hosts)
    client = issue_tls(ca, "peer.chaincode-client.gridledger.local", ["localhost", "127.0.0.1"])
    write_file(tls_dir / "ca.crt", ca.cert_pem)
    write_file(tls_dir / "server.key", server.key_pem, private=True)
    write_file(tls_dir / "server.crt", server.cert_pem)
    write_file(tls_dir / "client.key", client.key_pem, private=True)
    write_file(tls_dir / "client.crt", client.cert_pem)  # written last
