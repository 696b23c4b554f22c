"""ECDSA P-256 / SHA-256 signatures with Fabric's low-S rule."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_HALF_ORDER = P256_ORDER >> 1


def is_low_s(signature: bytes) -> bool:
    """True when the DER signature parses and its S is at most half the curve order."""
    try:
        _, s = decode_dss_signature(signature)
    except ValueError:
        return False
    return 0 < s <= P256_HALF_ORDER


def verify_signature(
    public_key: ec.EllipticCurvePublicKey, message: bytes, signature: bytes
) -> bool:
    """Verify as Fabric's BCCSP does: high-S signatures are rejected even if otherwise valid."""
    if not is_low_s(signature):
        return False
    try:
        public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def sign_low_s(private_key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    """Sign SHA-256(message), normalised to low S as Fabric requires."""
    r, s = decode_dss_signature(private_key.sign(message, ec.ECDSA(hashes.SHA256())))
    if s > P256_HALF_ORDER:
        s = P256_ORDER - s
    return encode_dss_signature(r, s)


def to_high_s(signature: bytes) -> bytes:
    """The same signature with S replaced by n - S (what Fabric rejects); for tests."""
    r, s = decode_dss_signature(signature)
    return encode_dss_signature(r, P256_ORDER - s if s <= P256_HALF_ORDER else s)
