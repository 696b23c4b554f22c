"""The transaction creator's identity: MSP id, X.509 certificate, id, Fabric CA attributes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier

#: Fabric CA writes enrolment attributes into this certificate extension as JSON {"attrs": {...}}.
FABRIC_CA_ATTRIBUTES_OID = ObjectIdentifier("1.2.3.4.5.6.7.8.1")


def format_distinguished_name(name: x509.Name) -> str:
    """Format a DN as fabric-shim (Node) does in ClientIdentity ids: `/C=US/ST=.../CN=...`."""
    parts: list[str] = []
    for attribute in name:
        short_name = attribute.rfc4514_attribute_name
        value = attribute.value if isinstance(attribute.value, str) else attribute.value.hex()
        parts.append(f"/{short_name}={value.replace('/', chr(92) + '/', 1)}")
    return "".join(parts)


def _fabric_ca_attributes(certificate: x509.Certificate) -> dict[str, str]:
    try:
        extension = certificate.extensions.get_extension_for_oid(FABRIC_CA_ATTRIBUTES_OID)
    except x509.ExtensionNotFound:
        return {}
    raw = extension.value
    data = raw.value if isinstance(raw, x509.UnrecognizedExtension) else b""
    try:
        decoded: Any = json.loads(data)
    except ValueError:
        return {}
    attrs = decoded.get("attrs") if isinstance(decoded, dict) else None
    if not isinstance(attrs, dict):
        return {}
    return {str(name): str(value) for name, value in attrs.items()}


@dataclass(frozen=True)
class ClientIdentity:
    """Who signed the proposal. The certificate is parsed on first use only."""

    msp_id: str
    id_bytes: bytes

    @cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.id_bytes)

    @cached_property
    def subject(self) -> str:
        return format_distinguished_name(self.certificate.subject)

    @cached_property
    def issuer(self) -> str:
        return format_distinguished_name(self.certificate.issuer)

    @cached_property
    def id(self) -> str:
        """`x509::<subject DN>::<issuer DN>`, the same string fabric-shim's ClientIdentity gives."""
        return f"x509::{self.subject}::{self.issuer}"

    @cached_property
    def attributes(self) -> dict[str, str]:
        return _fabric_ca_attributes(self.certificate)

    def get_attribute_value(self, name: str) -> str | None:
        return self.attributes.get(name)

    def assert_attribute_value(self, name: str, value: str) -> bool:
        return self.attributes.get(name) == value
