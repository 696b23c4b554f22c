"""Crypto material in the cryptogen layout, and identity verification against the channel MSPs."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from gridledger_network.devnet.channel import DevnetChannelConfig
from gridledger_network.devnet.config import DevnetConfig, UserConfig, default_config
from gridledger_network.devnet.crypto import CryptoLayout, ensure_crypto_material
from gridledger_network.devnet.crypto.certificates import Issued, issue_ca, issue_identity
from gridledger_network.devnet.msp import LocalSigner, UnknownIdentity, serialize_identity
from gridledger_network.devnet.msp.signature import is_low_s, to_high_s

OPERATOR = "GridOperatorMSP"


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _ous(cert: x509.Certificate) -> list[str]:
    return [
        str(a.value)
        for a in cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)
    ]


def test_layout_has_cryptogen_folders_and_node_ous(layout: CryptoLayout) -> None:
    domain = "gridoperator.gridledger.local"
    org = layout.root / "peerOrganizations" / domain
    assert (org / "ca" / f"ca.{domain}-cert.pem").is_file()
    assert (org / "tlsca" / f"tlsca.{domain}-cert.pem").is_file()
    assert "Enable: true" in (org / "msp" / "config.yaml").read_text()
    for name, ou in (("Admin", "admin"), ("User1", "client"), ("utility", "client")):
        msp = org / "users" / f"{name}@{domain}" / "msp"
        assert _ous(_cert(msp / "signcerts" / "cert.pem")) == [ou]
        assert (msp / "keystore" / "priv_sk").is_file() and (msp / "cacerts").is_dir()
        assert "OrganizationalUnitIdentifier: client" in (msp / "config.yaml").read_text()
    assert _ous(_cert(layout.node_msp_dir(OPERATOR) / "signcerts" / "cert.pem")) == ["peer"]
    orderer = layout.node_msp_dir("OrdererMSP") / "signcerts" / "cert.pem"
    assert _ous(_cert(orderer)) == ["orderer"]
    for name in ("ca.crt", "server.crt", "server.key", "client.crt", "client.key"):
        assert (layout.chaincode_tls_dir / name).is_file()


def test_tls_server_certificate_names_localhost_and_host(layout: CryptoLayout) -> None:
    cert = _cert(layout.node_tls_dir(OPERATOR) / "server.crt")
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(san.get_values_for_type(x509.DNSName)) == {
        "localhost",
        "peer0.gridoperator.gridledger.local",
    }
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    cert.verify_directly_issued_by(_cert(layout.tlsca_cert(OPERATOR)))
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)


def test_generation_is_idempotent_and_adds_new_users_only(tmp_path: Path) -> None:
    config = default_config()
    layout = ensure_crypto_material(tmp_path, config)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    extra = UserConfig(OPERATOR, "auditor", "client", {"gridledger.role": "auditor"})
    grown = DevnetConfig(
        config.channel, config.peers, config.batch, (*config.users, extra), config.chaincodes
    )
    ensure_crypto_material(tmp_path, grown)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert all(after[p] == data for p, data in before.items())
    assert (layout.user_msp_dir(OPERATOR, "auditor") / "signcerts" / "cert.pem") in after


def test_identity_roles_and_attributes(
    layout: CryptoLayout, channel_config: DevnetChannelConfig
) -> None:
    utility = LocalSigner.from_msp_dir(layout.user_msp_dir(OPERATOR, "utility"), OPERATOR)
    identity = channel_config.deserialize_and_verify_identity(utility.serialized_identity)
    assert identity.msp_id == OPERATOR and identity.roles == {"client", "member"}
    assert identity.attributes["gridledger.role"] == "utility"
    assert identity.attributes["hf.EnrollmentID"] == "utility"
    signature = utility.sign(b"reading")
    assert is_low_s(signature) and identity.verify(b"reading", signature)
    assert not identity.verify(b"other", signature)
    peer = LocalSigner.from_msp_dir(layout.node_msp_dir(OPERATOR), OPERATOR)
    assert channel_config.deserialize_and_verify_identity(peer.serialized_identity).roles == {
        "peer",
        "member",
    }


def test_high_s_signature_is_rejected(
    layout: CryptoLayout, channel_config: DevnetChannelConfig
) -> None:
    user = LocalSigner.from_msp_dir(layout.user_msp_dir(OPERATOR, "User1"), OPERATOR)
    identity = channel_config.deserialize_and_verify_identity(user.serialized_identity)
    signature = user.sign(b"payload")
    assert identity.verify(b"payload", signature)
    assert not identity.verify(b"payload", to_high_s(signature))


def test_certificate_from_another_ca_is_unknown(
    layout: CryptoLayout, channel_config: DevnetChannelConfig
) -> None:
    prosumer_peer = LocalSigner.from_msp_dir(layout.node_msp_dir("ProsumerMSP"), "ProsumerMSP")
    claimed = serialize_identity(OPERATOR, prosumer_peer.certificate_pem)  # right cert, wrong MSP
    with pytest.raises(UnknownIdentity, match="does not chain to the root CA of GridOperatorMSP"):
        channel_config.deserialize_and_verify_identity(claimed)
    rogue = issue_identity(
        issue_ca("ca.gridoperator.gridledger.local", "gridoperator.gridledger.local"), "x", "client"
    )
    with pytest.raises(UnknownIdentity, match="does not chain"):
        channel_config.deserialize_and_verify_identity(serialize_identity(OPERATOR, rogue.cert_pem))


def test_unknown_msp_and_expired_certificate(
    layout: CryptoLayout, channel_config: DevnetChannelConfig
) -> None:
    user = LocalSigner.from_msp_dir(layout.user_msp_dir(OPERATOR, "User1"), OPERATOR)
    with pytest.raises(UnknownIdentity, match="MSP NobodyMSP is not defined"):
        channel_config.deserialize_and_verify_identity(
            serialize_identity("NobodyMSP", user.certificate_pem)
        )
    from gridledger_network.devnet.crypto.certificates import load_issued

    ca: Issued = load_issued(layout.ca_cert(OPERATOR), layout.ca_key(OPERATOR))
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
    expired = issue_identity(
        ca,
        "old@gridoperator",
        "client",
        not_before=past,
        not_after=past + datetime.timedelta(days=1),
    )
    with pytest.raises(UnknownIdentity, match="expired"):
        channel_config.deserialize_and_verify_identity(
            serialize_identity(OPERATOR, expired.cert_pem)
        )
    no_ou = issue_identity(ca, "nobody@gridoperator", None)
    with pytest.raises(UnknownIdentity, match="NodeOU"):
        channel_config.deserialize_and_verify_identity(serialize_identity(OPERATOR, no_ou.cert_pem))
    with pytest.raises(UnknownIdentity, match=r"not a msp\.SerializedIdentity"):
        channel_config.deserialize_and_verify_identity(b"\xff\xff\xff")


def test_client_sdk_loads_the_generated_msp_folders(layout: CryptoLayout) -> None:
    from gridledger.fabric.msp import read_msp

    folder = read_msp(layout.user_msp_dir(OPERATOR, "utility"), OPERATOR)
    assert folder.node_ou == "client"
    assert folder.identity.attributes["gridledger.role"] == "utility"
    assert folder.ca_certs == [layout.ca_cert(OPERATOR).read_bytes()]
    assert read_msp(layout.node_msp_dir(OPERATOR), OPERATOR).node_ou == "peer"
