from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from gridledger.fabric import P256_HALF_ORDER, P256_ORDER, Signer, is_low_s, sha256, to_low_s
from hypothesis import given, settings
from hypothesis import strategies as st

SIGNER = Signer(ec.generate_private_key(ec.SECP256R1()))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=256))
def test_signatures_are_low_s_and_verify(message: bytes) -> None:
    signature = SIGNER.sign(sha256(message))
    _, s = decode_dss_signature(signature)
    assert s <= P256_HALF_ORDER
    SIGNER.public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))


def test_high_s_is_folded_and_still_verifies() -> None:
    message = b"interval 2026-01-01T00:15Z"
    r, s = decode_dss_signature(SIGNER.sign_message(message))
    high = encode_dss_signature(r, P256_ORDER - s)  # the other valid signature
    assert not is_low_s(high)
    SIGNER.public_key().verify(high, message, ec.ECDSA(hashes.SHA256()))

    folded = to_low_s(high)
    assert is_low_s(folded)
    assert decode_dss_signature(folded) == (r, s)
    SIGNER.public_key().verify(folded, message, ec.ECDSA(hashes.SHA256()))


def test_signature_of_other_message_fails() -> None:
    signature = SIGNER.sign_message(b"a")
    with pytest.raises(InvalidSignature):
        SIGNER.public_key().verify(signature, b"b", ec.ECDSA(hashes.SHA256()))


def test_digest_length_and_curve_are_checked() -> None:
    with pytest.raises(ValueError, match="32-byte"):
        SIGNER.sign(b"short")
    with pytest.raises(ValueError, match="P-256"):
        Signer(ec.generate_private_key(ec.SECP384R1()))
