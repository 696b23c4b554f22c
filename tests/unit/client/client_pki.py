"""Throwaway PKI for client unit tests: a CA, MSP folders in cryptogen layout, TLS pairs."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ATTRS_OID = x509.ObjectIdentifier("1.2.3.4.5.6.7.8.1")


def pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class CertificateAuthority:
    name: str
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @classmethod
    def create(cls, name: str) -> CertificateAuthority:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        return cls(name, key, cert)

    def issue(
        self,
        common_name: str,
        ou: str | None = None,
        attrs: dict[str, str] | None = None,
        sans: list[str] | None = None,
    ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
        if ou:
            names.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(names))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
        )
        if attrs is not None:
            value = json.dumps({"attrs": attrs}).encode()
            builder = builder.add_extension(x509.UnrecognizedExtension(ATTRS_OID, value), False)
        if sans:
            import ipaddress

            entries: list[x509.GeneralName] = []
            for san in sans:
                try:
                    entries.append(x509.IPAddress(ipaddress.ip_address(san)))
                except ValueError:
                    entries.append(x509.DNSName(san))
            builder = builder.add_extension(x509.SubjectAlternativeName(entries), False)
        return key, builder.sign(self.key, hashes.SHA256())


NODE_OUS_YAML = """NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: cacerts/ca-cert.pem
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: cacerts/ca-cert.pem
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: cacerts/ca-cert.pem
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: cacerts/ca-cert.pem
    OrganizationalUnitIdentifier: orderer
"""


def write_msp(
    folder: Path,
    ca: CertificateAuthority,
    common_name: str,
    ou: str | None = "client",
    attrs: dict[str, str] | None = None,
    decoy_keys: int = 0,
    node_ous: bool = True,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """An MSP folder like cryptogen's: signcerts, keystore, cacerts, tlscacerts, config.yaml."""
    key, cert = ca.issue(common_name, ou=ou, attrs=attrs)
    for sub in ("signcerts", "keystore", "cacerts", "tlscacerts"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "signcerts" / f"{common_name}-cert.pem").write_bytes(pem_cert(cert))
    for index in range(decoy_keys):  # keys of other identities sort before the right one
        decoy = ec.generate_private_key(ec.SECP256R1())
        (folder / "keystore" / f"{index:02d}_sk").write_bytes(pem_key(decoy))
    (folder / "keystore" / "priv_sk").write_bytes(pem_key(key))
    (folder / "cacerts" / "ca-cert.pem").write_bytes(pem_cert(ca.cert))
    (folder / "tlscacerts" / "tlsca-cert.pem").write_bytes(pem_cert(ca.cert))
    if node_ous:
        (folder / "config.yaml").write_text(NODE_OUS_YAML)
    return key, cert
