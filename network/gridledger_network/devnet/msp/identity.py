"""A verified channel member: MSP id, certificate, roles from NodeOUs, Fabric CA attributes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID, ObjectIdentifier

from gridledger_network.devnet.msp.signature import verify_signature
from gridledger_network.devnet.msp.verified import VERIFIED, memo_key

FABRIC_CA_ATTRS_OID = ObjectIdentifier("1.2.3.4.5.6.7.8.1")
ROLES = ("admin", "peer", "client", "orderer")


@dataclass(frozen=True, eq=False)
class Identity:
    """What ``ChannelConfig.deserialize_and_verify_identity`` returns (see interfaces.py)."""

    msp_id: str
    certificate: x509.Certificate
    serialized: bytes  # the msp.SerializedIdentity bytes as received
    roles: frozenset[str]  # NodeOU role plus 'member'
    attributes: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def key(self) -> tuple[str, bytes]:
        """Identity for de-duplication: MSP id and certificate (DER)."""
        return self.msp_id, self.certificate.public_bytes(Encoding.DER)

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def common_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else ""

    @cached_property
    def _public_key(self) -> ec.EllipticCurvePublicKey | None:
        key = self.certificate.public_key()
        return key if isinstance(key, ec.EllipticCurvePublicKey) else None

    def verify(self, message: bytes, signature: bytes) -> bool:
        memo = memo_key(self.key[1], message, signature)
        if memo in VERIFIED:
            return True
        key = self._public_key
        if key is None or not verify_signature(key, message, signature):
            return False
        VERIFIED.add(memo)
        return True

    def __repr__(self) -> str:
        return f"Identity({self.msp_id}, {self.common_name}, roles={sorted(self.roles)})"


def organizational_units(cert: x509.Certificate) -> list[str]:
    return [
        str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    ]


def fabric_ca_attributes(cert: x509.Certificate) -> dict[str, str]:
    """The ``{"attrs": {...}}`` JSON of extension 1.2.3.4.5.6.7.8.1, or {} if absent/unreadable."""
    try:
        ext = cert.extensions.get_extension_for_oid(FABRIC_CA_ATTRS_OID)
    except x509.ExtensionNotFound:
        return {}
    value = ext.value
    if not isinstance(value, x509.UnrecognizedExtension):
        return {}
    try:
        attrs = json.loads(value.value).get("attrs", {})
    except (ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in attrs.items()} if isinstance(attrs, dict) else {}
