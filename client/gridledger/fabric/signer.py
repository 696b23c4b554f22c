"""ECDSA P-256 signing as Fabric expects it: SHA-256 digest, DER signature, low-S."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from gridledger.fabric.hashing import sha256

# Order of the P-256 group; Fabric rejects signatures whose s is above half of it.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_HALF_ORDER = P256_ORDER >> 1


def to_low_s(der_signature: bytes) -> bytes:
    """Return the DER signature with s replaced by n - s when s is in the upper half."""
    r, s = decode_dss_signature(der_signature)
    if s > P256_HALF_ORDER:
        s = P256_ORDER - s
    return encode_dss_signature(r, s)


def is_low_s(der_signature: bytes) -> bool:
    _, s = decode_dss_signature(der_signature)
    return s <= P256_HALF_ORDER


@dataclass(frozen=True)
class Signer:
    """Signs SHA-256 digests with an EC P-256 private key (low-S DER signatures)."""

    private_key: ec.EllipticCurvePrivateKey

    def __post_init__(self) -> None:
        if not isinstance(self.private_key.curve, ec.SECP256R1):
            raise ValueError(f"Fabric signing needs a P-256 key, got {self.private_key.curve.name}")

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None) -> Signer:
        key = load_pem_private_key(pem, password=password)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("private key is not an elliptic-curve key")
        return cls(key)

    def sign(self, digest: bytes) -> bytes:
        """Sign a SHA-256 ``digest`` (32 bytes); returns a low-S DER signature."""
        if len(digest) != 32:
            raise ValueError(f"expected a 32-byte SHA-256 digest, got {len(digest)} bytes")
        der = self.private_key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        return to_low_s(der)

    def sign_message(self, message: bytes) -> bytes:
        """Hash ``message`` with SHA-256 and sign the digest."""
        return self.sign(sha256(message))

    def __call__(self, digest: bytes) -> bytes:
        return self.sign(digest)

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.private_key.public_key()
