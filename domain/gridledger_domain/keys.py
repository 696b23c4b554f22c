"""Meter keys: ECDSA P-256, public keys exchanged as PEM SubjectPublicKeyInfo."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gridledger_domain.errors import InvalidMeterKey

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
"""n, the order of the P-256 group."""


@dataclass(frozen=True, slots=True)
class MeterKey:
    """A meter's key pair (simulated meters and tests; real meters keep the private key inside)."""

    private_key: ec.EllipticCurvePrivateKey

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.private_key.public_key()

    def public_key_pem(self) -> str:
        """The public key as PEM SubjectPublicKeyInfo text (what the utility registers)."""
        return public_key_to_pem(self.public_key)

    def private_key_pem(self) -> str:
        """The private key as unencrypted PKCS#8 PEM text (for simulators only)."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")


def generate_meter_key() -> MeterKey:
    """A fresh random P-256 key pair."""
    return MeterKey(ec.generate_private_key(ec.SECP256R1()))


def simulated_meter_key(seed: str) -> MeterKey:
    """A P-256 key derived from ``seed`` (deterministic: demos and test vectors, never production).

    The private scalar is ``int(SHA-256(UTF-8 seed)) mod (n - 1) + 1``.
    """
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    scalar = int.from_bytes(digest, "big") % (P256_ORDER - 1) + 1
    return MeterKey(ec.derive_private_key(scalar, ec.SECP256R1()))


def public_key_to_pem(public_key: ec.EllipticCurvePublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_meter_public_key(pem: str | bytes) -> ec.EllipticCurvePublicKey:
    """Parse a PEM SubjectPublicKeyInfo and require an ECDSA P-256 key."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise InvalidMeterKey(f"meter public key is not a PEM public key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise InvalidMeterKey("meter public key must be an ECDSA P-256 (secp256r1) key")
    return key


def load_meter_private_key(pem: str | bytes) -> MeterKey:
    """Parse an unencrypted PEM private key and require ECDSA P-256 (simulators, head-end tests)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise InvalidMeterKey(f"meter private key is not an unencrypted PEM key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise InvalidMeterKey("meter private key must be an ECDSA P-256 (secp256r1) key")
    return MeterKey(key)
