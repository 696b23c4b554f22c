"""A Fabric identity: MSP id plus X.509 certificate, serialized as msp.SerializedIdentity."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from cryptography import x509
from cryptography.x509.oid import NameOID
from fabric_protos.msp import identities_pb2
from gridledger.fabric.attributes import certificate_attributes

NODE_OUS = ("client", "peer", "admin", "orderer")


@dataclass(frozen=True)
class Identity:
    """``msp_id`` and the PEM ``certificate`` that a transaction's creator carries."""

    msp_id: str
    certificate: bytes

    @classmethod
    def from_serialized(cls, serialized: bytes) -> Identity:
        message = identities_pb2.SerializedIdentity.FromString(serialized)
        return cls(msp_id=str(message.mspid), certificate=bytes(message.id_bytes))

    def serialize(self) -> bytes:
        """The ``msp.SerializedIdentity`` bytes (the creator in every header)."""
        message = identities_pb2.SerializedIdentity(mspid=self.msp_id, id_bytes=self.certificate)
        return bytes(message.SerializeToString())

    @cached_property
    def x509(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate)

    @property
    def subject(self) -> str:
        return self.x509.subject.rfc4514_string()

    @property
    def common_name(self) -> str:
        names = self.x509.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else ""

    @property
    def organizational_units(self) -> list[str]:
        ous = self.x509.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        return [str(ou.value) for ou in ous]

    @property
    def node_ou(self) -> str | None:
        """The NodeOU in the certificate subject (client, peer, admin, orderer), if any."""
        for ou in self.organizational_units:
            if ou.lower() in NODE_OUS:
                return ou.lower()
        return None

    @property
    def attributes(self) -> dict[str, str]:
        """Fabric CA attributes carried by the certificate."""
        return certificate_attributes(self.x509)
