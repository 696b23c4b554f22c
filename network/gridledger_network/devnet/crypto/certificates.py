"""Issue ECDSA P-256 keys and X.509 certificates the way cryptogen and Fabric CA shape them."""

from __future__ import annotations

import datetime
import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

FABRIC_CA_ATTRS_OID = ObjectIdentifier("1.2.3.4.5.6.7.8.1")
VALIDITY = datetime.timedelta(days=3650)
BACKDATE = datetime.timedelta(minutes=5)
KEY_USAGE_FLAGS: tuple[str, ...] = ("digital_signature", "content_commitment", "key_encipherment")
KEY_USAGE_FLAGS += ("data_encipherment", "key_agreement", "key_cert_sign", "crl_sign")
KEY_USAGE_FLAGS += ("encipher_only", "decipher_only")  # every argument of x509.KeyUsage
SIGN = ("digital_signature",)


@dataclass(frozen=True)
class Issued:
    """A private key with its certificate."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str, organization: str | None = None, ou: str | None = None) -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "California"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "San Francisco"),
    ]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if ou:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - BACKDATE)
        .not_valid_after(not_after or now + VALIDITY)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_usage(*granted: str) -> x509.KeyUsage:
    """A ``KeyUsage`` with the ``granted`` flags (its argument names) set and the others clear."""
    unknown = set(granted) - set(KEY_USAGE_FLAGS)
    if unknown:
        raise ValueError(f"not key usage flags: {sorted(unknown)}")
    return x509.KeyUsage(**{flag: flag in granted for flag in KEY_USAGE_FLAGS})


def _issued_by(
    ca: Issued,
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    *,
    usages: tuple[str, ...],
    extended_usage: x509.ExtendedKeyUsage | None = None,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> x509.CertificateBuilder:
    """A leaf certificate of ``ca`` for ``key``, with the extensions every leaf carries."""
    builder = (
        _builder(subject, ca.cert.subject, key.public_key(), not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(*usages), critical=True)
    )
    if extended_usage is not None:
        builder = builder.add_extension(extended_usage, critical=False)
    return builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
    )


def issue_ca(common_name: str, organization: str) -> Issued:
    """A self-signed root CA (signing CA or TLS CA) as cryptogen makes it."""
    key = new_key()
    name = _name(common_name, organization)
    cert = (
        _builder(name, name, key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            _key_usage(*SIGN, "key_encipherment", "key_cert_sign", "crl_sign"), critical=True
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def issue_identity(
    ca: Issued,
    common_name: str,
    ou: str | None,
    attrs: Mapping[str, str] | None = None,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> Issued:
    """A signing identity: NodeOU in the subject OU; Fabric CA attributes as extension JSON."""
    key = new_key()
    builder = _issued_by(
        ca,
        _name(common_name, ou=ou),
        key,
        usages=SIGN,
        not_before=not_before,
        not_after=not_after,
    )
    if attrs is not None:
        value = json.dumps({"attrs": dict(attrs)}, separators=(",", ":")).encode()
        builder = builder.add_extension(
            x509.UnrecognizedExtension(FABRIC_CA_ATTRS_OID, value), critical=False
        )
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def issue_tls(ca: Issued, common_name: str, hosts: Sequence[str]) -> Issued:
    """A TLS certificate for servers and clients, with SANs for every host (names or IPs)."""
    key = new_key()
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    builder = _issued_by(
        ca,
        _name(common_name),
        key,
        usages=(*SIGN, "key_encipherment"),
        extended_usage=x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
        ),
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def load_issued(cert_path: Path, key_path: Path) -> Issued:
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{key_path}: not an EC private key")
    return Issued(key, x509.load_pem_x509_certificate(cert_path.read_bytes()))


def write_file(path: Path, data: bytes, private: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    if private:
        tmp.chmod(0o600)
    tmp.replace(path)
