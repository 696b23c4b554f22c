"""An organisation's MSP as the channel knows it, and the channel's set of them."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from fabric_protos.msp import identities_pb2

from gridledger_network.devnet.interfaces import MalformedIdentity, UnknownIdentity
from gridledger_network.devnet.msp.identity import (
    ROLES,
    Identity,
    fabric_ca_attributes,
    organizational_units,
)

CACHE_LIMIT = 4096


@dataclass(frozen=True)
class OrgMSP:
    """One organisation's MSP: its root CA certificates and TLS root certificates."""

    msp_id: str
    root_certs: tuple[x509.Certificate, ...]
    tls_root_certs: tuple[x509.Certificate, ...] = ()

    def validate(self, msp_id: str, cert: x509.Certificate, now: datetime.datetime) -> Identity:
        """Check the certificate chains to a root of this MSP, is time-valid, has one NodeOU."""
        root = self._issuer_of(cert)
        if root is None:
            raise MalformedIdentity(
                f"certificate {cert.subject.rfc4514_string()!r} does not chain to the root CA of "
                f"{self.msp_id} ({', '.join(r.subject.rfc4514_string() for r in self.root_certs)})"
            )
        for c, what in ((cert, "certificate"), (root, "root CA certificate")):
            if now < c.not_valid_before_utc:
                raise UnknownIdentity(
                    f"{what} of {msp_id} identity is not valid before "
                    f"{c.not_valid_before_utc.isoformat()}"
                )
            if now > c.not_valid_after_utc:
                raise UnknownIdentity(
                    f"{what} of {msp_id} identity expired at {c.not_valid_after_utc.isoformat()}"
                )
        roles = [ou for ou in organizational_units(cert) if ou in ROLES]
        if len(roles) != 1:
            raise UnknownIdentity(
                f"{msp_id} identity {cert.subject.rfc4514_string()!r} must carry exactly one "
                f"NodeOU "
                f"of {ROLES} in its subject OU, found {roles or 'none'}"
            )
        return Identity(
            msp_id=msp_id,
            certificate=cert,
            serialized=b"",
            roles=frozenset({roles[0], "member"}),
            attributes=fabric_ca_attributes(cert),
        )

    def _issuer_of(self, cert: x509.Certificate) -> x509.Certificate | None:
        for root in self.root_certs:
            if root.subject != cert.issuer:
                continue
            try:
                cert.verify_directly_issued_by(root)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return root
        return None


class MSPManager:
    """Deserialises ``msp.SerializedIdentity`` bytes against the channel's MSPs (with a cache)."""

    def __init__(self, msps: Iterable[OrgMSP]) -> None:
        self._msps = {m.msp_id: m for m in msps}
        self._cache: dict[bytes, Identity] = {}
        self._lock = threading.Lock()

    @property
    def msp_ids(self) -> Sequence[str]:
        return list(self._msps)

    def msp(self, msp_id: str) -> OrgMSP:
        return self._msps[msp_id]

    def deserialize_identity(self, serialized: bytes) -> Identity:
        """Parse and validate, or raise ``UnknownIdentity`` saying why."""
        now = datetime.datetime.now(datetime.UTC)
        with self._lock:
            cached = self._cache.get(serialized)
        if cached is not None:
            if cached.certificate.not_valid_after_utc < now:
                raise UnknownIdentity(
                    f"certificate of {cached.msp_id} identity expired at "
                    f"{cached.certificate.not_valid_after_utc.isoformat()}"
                )
            return cached
        identity = self._deserialize(serialized, now)
        with self._lock:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[serialized] = identity
        return identity

    def _deserialize(self, serialized: bytes, now: datetime.datetime) -> Identity:
        sid = identities_pb2.SerializedIdentity()
        try:
            sid.ParseFromString(serialized)
        except Exception as exc:  # protobuf DecodeError (google.protobuf is untyped here)
            raise MalformedIdentity(f"not a msp.SerializedIdentity: {exc}") from exc
        msp_id = str(sid.mspid)
        if not msp_id:
            raise MalformedIdentity("serialized identity has no MSP id")
        msp = self._msps.get(msp_id)
        if msp is None:
            raise MalformedIdentity(
                f"MSP {msp_id} is not defined on channel (known: {', '.join(self._msps)})"
            )
        try:
            cert = x509.load_pem_x509_certificate(bytes(sid.id_bytes))
        except ValueError as exc:
            raise MalformedIdentity(
                f"{msp_id} identity has no valid PEM certificate: {exc}"
            ) from exc
        identity = msp.validate(msp_id, cert, now)
        return Identity(
            msp_id=identity.msp_id,
            certificate=identity.certificate,
            serialized=serialized,
            roles=identity.roles,
            attributes=identity.attributes,
        )


def serialize_identity(msp_id: str, cert_pem: bytes) -> bytes:
    return bytes(
        identities_pb2.SerializedIdentity(mspid=msp_id, id_bytes=cert_pem).SerializeToString()
    )
