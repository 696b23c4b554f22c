"""Signing and verifying readings: ECDSA P-256 with SHA-256, DER signatures, low-S only."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from gridledger_domain.encoding import encode_reading
from gridledger_domain.errors import InvalidSignature
from gridledger_domain.keys import P256_ORDER, MeterKey
from gridledger_domain.reading import MeterReading

_HALF_ORDER = P256_ORDER // 2


def _deterministic_ecdsa() -> ec.ECDSA:
    try:
        return ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    except (TypeError, UnsupportedAlgorithm):  # pragma: no cover - old OpenSSL
        return ec.ECDSA(hashes.SHA256())


def to_low_s(signature: bytes) -> bytes:
    """Rewrite a DER ECDSA P-256 signature so that s <= n/2 (Fabric's rule, no malleability)."""
    r, s = decode_dss_signature(signature)
    if s > _HALF_ORDER:
        s = P256_ORDER - s
    return encode_dss_signature(r, s)


def sign_reading(reading: MeterReading, key: MeterKey) -> bytes:
    """DER signature over :func:`encode_reading` (RFC 6979 deterministic where OpenSSL allows)."""
    signature = key.private_key.sign(encode_reading(reading), _deterministic_ecdsa())
    return to_low_s(signature)


def check_signature_form(signature: bytes) -> None:
    """Refuse anything but a strict DER (r, s) with 0 < r < n and 0 < s <= n/2."""
    try:
        r, s = decode_dss_signature(signature)
    except ValueError as exc:
        raise InvalidSignature("signature is not a DER ECDSA signature") from exc
    if encode_dss_signature(r, s) != signature:
        raise InvalidSignature("signature is not in canonical DER form")
    if not (0 < r < P256_ORDER) or not (0 < s < P256_ORDER):
        raise InvalidSignature("signature values out of range")
    if s > _HALF_ORDER:
        raise InvalidSignature("signature is not low-S")


def verify_reading(
    reading: MeterReading, signature: bytes, public_key: ec.EllipticCurvePublicKey
) -> None:
    """Raise InvalidSignature unless ``signature`` is the meter's valid low-S signature."""
    check_signature_form(signature)
    try:
        public_key.verify(signature, encode_reading(reading), ec.ECDSA(hashes.SHA256()))
    except _CryptoInvalidSignature as exc:
        raise InvalidSignature(
            f"signature of reading {reading.meter_id}@{reading.interval_start} does not verify"
        ) from exc


def is_valid_signature(
    reading: MeterReading, signature: bytes, public_key: ec.EllipticCurvePublicKey
) -> bool:
    """Boolean form of :func:`verify_reading`."""
    try:
        verify_reading(reading, signature, public_key)
    except InvalidSignature:
        return False
    return True
