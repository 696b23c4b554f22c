from __future__ import annotations

from pathlib import Path

import pytest
from client_pki import CertificateAuthority, pem_cert, write_msp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fabric_protos.msp import identities_pb2
from gridledger.fabric import (
    Identity,
    MspError,
    certificate_attributes,
    load_msp,
    read_msp,
)


def test_load_msp_reads_certificate_and_matching_key(
    tmp_path: Path, org_ca: CertificateAuthority
) -> None:
    _, cert = write_msp(tmp_path / "msp", org_ca, "Admin@org", ou="admin", decoy_keys=2)
    identity, signer = load_msp(tmp_path / "msp", "GridOperatorMSP")

    assert identity.msp_id == "GridOperatorMSP"
    assert identity.certificate == pem_cert(cert)
    assert identity.common_name == "Admin@org"
    # the decoy keys sort first; the signer must be the one matching the certificate
    signature = signer.sign_message(b"meter reading")
    cert.public_key().verify(signature, b"meter reading", ec.ECDSA(hashes.SHA256()))


def test_msp_folder_keeps_cas_and_node_ou(tmp_path: Path, org_ca: CertificateAuthority) -> None:
    write_msp(tmp_path / "msp", org_ca, "peer0", ou="peer")
    folder = read_msp(tmp_path / "msp", "ProsumerMSP")

    assert folder.ca_certs == [pem_cert(org_ca.cert)]
    assert folder.tls_ca_certs == [pem_cert(org_ca.cert)]
    assert folder.node_ous.enabled
    assert folder.node_ous.identifiers["client"] == "client"
    assert folder.node_ou == "peer"
    assert folder.identity.node_ou == "peer"


def test_node_ou_without_config_comes_from_subject(
    tmp_path: Path, org_ca: CertificateAuthority
) -> None:
    write_msp(tmp_path / "msp", org_ca, "User2", ou="client", node_ous=False)
    folder = read_msp(tmp_path / "msp", "GridOperatorMSP")
    assert not folder.node_ous.enabled
    assert folder.node_ou == "client"


def test_fabric_ca_attributes(tmp_path: Path, org_ca: CertificateAuthority) -> None:
    attrs = {"gridledger.role": "utility", "hf.EnrollmentID": "utility"}
    write_msp(tmp_path / "msp", org_ca, "utility", attrs=attrs)
    identity, _ = load_msp(tmp_path / "msp", "GridOperatorMSP")
    assert identity.attributes == attrs
    assert certificate_attributes(identity.x509)["gridledger.role"] == "utility"


def test_no_attributes_extension_means_empty(user: tuple[Identity, object]) -> None:
    assert user[0].attributes == {}


def test_serialized_identity_round_trip(user: tuple[Identity, object]) -> None:
    identity = user[0]
    decoded = identities_pb2.SerializedIdentity()
    decoded.ParseFromString(identity.serialize())
    assert decoded.mspid == "GridOperatorMSP"
    assert decoded.id_bytes == identity.certificate
    assert Identity.from_serialized(identity.serialize()) == identity


def test_missing_pieces_are_reported(tmp_path: Path, org_ca: CertificateAuthority) -> None:
    with pytest.raises(MspError, match="not found"):
        load_msp(tmp_path / "nowhere", "X")
    write_msp(tmp_path / "msp", org_ca, "User1")
    for key in (tmp_path / "msp" / "keystore").iterdir():
        key.unlink()
    with pytest.raises(MspError, match="no private key"):
        load_msp(tmp_path / "msp", "X")


def test_key_of_another_identity_is_refused(tmp_path: Path, org_ca: CertificateAuthority) -> None:
    write_msp(tmp_path / "a", org_ca, "A")
    write_msp(tmp_path / "b", org_ca, "B")
    (tmp_path / "a" / "keystore" / "priv_sk").write_bytes(
        (tmp_path / "b" / "keystore" / "priv_sk").read_bytes()
    )
    with pytest.raises(MspError, match="matches"):
        load_msp(tmp_path / "a", "X")
