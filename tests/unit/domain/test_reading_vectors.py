"""The meter-reading format against the test vectors of docs/meter-readings.md."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import gridledger_domain as md
import pytest
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from hypothesis import given
from hypothesis import strategies as st

DOC = Path(__file__).resolve().parents[3] / "docs" / "meter-readings.md"
SEED = "gridledger test vector meter 1"
SCALAR = 0xF60B23A9F00AE1C53E08C543C701C31257A468B5815779F26591168511DBEBF5
PUBLIC_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEBwSPEhA4KTYWkcxfNtktkBmcamAl\n"
    "o2N+/b372EKkJXyZW8H/6vhbgjpJs7pY1YGGJNwYn7rmypvSL939fK1BDA==\n"
    "-----END PUBLIC KEY-----\n"
)
VECTORS = [
    (
        md.MeterReading("MTR-0001", 1748736000, 0, 0),
        "677269646c65646765722e6d657465722d72656164696e670100084d54522d3030303100000000683b98"
        "0000000000000000000000000000000000",
        "30450221008ead5b8467cad8f3530fb710bc853b5877b358b44008b02675ca9fab90627d7602202b1b37"
        "66569e3064403ffa8a241ce7a131e709ff6655fa7730fd533088c45b25",
    ),
    (
        md.MeterReading("MTR-0001", 1748736900, 1234, 56),
        "677269646c65646765722e6d657465722d72656164696e670100084d54522d3030303100000000683b9b"
        "8400000000000004d20000000000000038",
        "304402201e9232c1c4e243188e0ed4e1a19a8a34a3f56ba16957f078e0a0ff88d50f8396022000bfb272"
        "d10735d54bca399aa82a27950759ce3b5016e41df9e783c80c6ee25d",
    ),
    (
        md.MeterReading("solar.farm-7:inv2", 1748781900, 2**53 - 1, 987654321),
        "677269646c65646765722e6d657465722d72656164696e67010011736f6c61722e6661726d2d373a696e"
        "763200000000683c4b4c001fffffffffffff000000003ade68b1",
        "3045022100dee524a46ed0b6f40f7f04a6c0aca682deed093cd846772cd724d1c249928ad20220498e2b"
        "73455eb2b56875195498c5bcdd5d007ef1e4bc5cebe7e6fdab8d7adecf",
    ),
]
N = md.keys.P256_ORDER


def test_vector_key_is_derived_from_seed() -> None:
    key = md.simulated_meter_key(SEED)
    assert key.private_key.private_numbers().private_value == SCALAR
    assert key.public_key_pem() == PUBLIC_PEM


@pytest.mark.parametrize(("reading", "encoding", "signature"), VECTORS)
def test_vector_encoding_and_signature(
    reading: md.MeterReading, encoding: str, signature: str
) -> None:
    assert md.encode_reading(reading).hex() == encoding
    assert md.decode_reading(bytes.fromhex(encoding)) == reading
    public_key = md.load_meter_public_key(PUBLIC_PEM)
    md.verify_reading(reading, bytes.fromhex(signature), public_key)
    # our signer is deterministic (RFC 6979 + low-S): it reproduces the vector
    assert md.sign_reading(reading, md.simulated_meter_key(SEED)).hex() == signature


def test_vectors_are_the_ones_in_the_docs() -> None:
    text = DOC.read_text()
    pairs = re.findall(r"encoding  ([0-9a-f]+)\nsignature ([0-9a-f]+)", text)
    assert pairs == [(enc, sig) for _, enc, sig in VECTORS]
    assert PUBLIC_PEM.strip() in text
    transport = json.loads(re.findall(r'^(\{"meter_id".*\})$', text, re.MULTILINE)[0])
    signed = md.SignedReading.from_json_dict(transport)
    assert signed.reading == VECTORS[1][0]
    assert signed.signature.hex() == VECTORS[1][2]


def test_signature_of_another_reading_is_refused() -> None:
    public_key = md.load_meter_public_key(PUBLIC_PEM)
    with pytest.raises(md.InvalidSignature):
        md.verify_reading(VECTORS[0][0], bytes.fromhex(VECTORS[1][2]), public_key)


def test_high_s_signature_is_refused_even_though_mathematically_valid() -> None:
    reading, _, signature = VECTORS[1]
    r, s = decode_dss_signature(bytes.fromhex(signature))
    high = encode_dss_signature(r, N - s)
    public_key = md.load_meter_public_key(PUBLIC_PEM)
    with pytest.raises(md.InvalidSignature, match="low-S"):
        md.verify_reading(reading, high, public_key)
    assert md.to_low_s(high).hex() == signature


def test_non_canonical_der_is_refused() -> None:
    reading, _, signature = VECTORS[1]
    raw = bytes.fromhex(signature)
    padded = raw + b"\x00"
    public_key = md.load_meter_public_key(PUBLIC_PEM)
    with pytest.raises(md.InvalidSignature):
        md.verify_reading(reading, padded, public_key)
    with pytest.raises(md.InvalidSignature):
        md.verify_reading(reading, b"not der", public_key)


def test_signature_under_another_key_is_refused() -> None:
    reading = VECTORS[1][0]
    other = md.generate_meter_key()
    assert not md.is_valid_signature(
        reading, md.sign_reading(reading, other), md.load_meter_public_key(PUBLIC_PEM)
    )
    assert md.is_valid_signature(reading, md.sign_reading(reading, other), other.public_key)


@pytest.mark.parametrize(
    ("meter_id", "start", "imp", "exp"),
    [
        ("", 0, 0, 0),
        ("-lead", 0, 0, 0),
        ("has space", 0, 0, 0),
        ("mètre", 0, 0, 0),
        ("x" * 65, 0, 0, 0),
        ("M", 60, 0, 0),
        ("M", -900, 0, 0),
        ("M", 0, -1, 0),
        ("M", 0, 0, 2**53),
        ("M", 0, 1.0, 0),
        ("M", 0, True, 0),
    ],
)
def test_invalid_fields_are_refused(
    meter_id: object, start: object, imp: object, exp: object
) -> None:
    with pytest.raises(md.InvalidReading):
        md.MeterReading(meter_id, start, imp, exp)  # type: ignore[arg-type]


def test_decoding_refuses_other_versions_trailing_bytes_and_other_tags() -> None:
    encoding = bytes.fromhex(VECTORS[1][1])
    version_at = len(md.DOMAIN_TAG)
    with pytest.raises(md.InvalidReading, match="version"):
        md.decode_reading(encoding[:version_at] + b"\x03" + encoding[version_at + 1 :])
    with pytest.raises(md.InvalidReading, match="length"):
        md.decode_reading(encoding + b"\x00")
    with pytest.raises(md.InvalidReading, match="tag"):
        md.decode_reading(b"x" + encoding[1:])


def test_public_key_must_be_p256() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    with pytest.raises(md.InvalidMeterKey):
        md.load_meter_public_key(md.public_key_to_pem(p384))
    with pytest.raises(md.InvalidMeterKey):
        md.load_meter_public_key("garbage")


def test_transport_form_refuses_extra_or_missing_fields() -> None:
    good = md.sign(VECTORS[1][0], md.simulated_meter_key(SEED)).to_json_dict()
    assert md.SignedReading.from_json_dict(good).reading == VECTORS[1][0]
    with pytest.raises(md.InvalidReading, match="unexpected"):
        md.SignedReading.from_json_dict({**good, "extra": 1})
    without = dict(good)
    del without["export_wh"]
    with pytest.raises(md.InvalidReading, match="missing"):
        md.SignedReading.from_json_dict(without)
    with pytest.raises(md.InvalidReading):
        md.SignedReading.from_json_dict({**good, "interval_start": "2025-06-01 00:15:00"})
    with pytest.raises(md.InvalidReading):
        md.SignedReading.from_json_dict({**good, "signature": "***"})


def test_batch_verification_reports_each_reading() -> None:
    key = md.simulated_meter_key(SEED)
    other = md.simulated_meter_key("another meter")
    good = md.sign(VECTORS[1][0], key)
    forged = md.SignedReading(VECTORS[0][0], md.sign_reading(VECTORS[0][0], other))
    unknown = md.sign(md.MeterReading("MTR-9", 0, 0, 0), key)
    keys = {"MTR-0001": PUBLIC_PEM}
    verdicts = md.verify_batch([good, forged, unknown], keys.get)
    assert [v.ok for v in verdicts] == [True, False, False]
    assert "does not verify" in verdicts[1].reason
    assert "unknown meter" in verdicts[2].reason
    assert [v.index for v in verdicts] == [0, 1, 2]


readings = st.builds(
    md.MeterReading,
    meter_id=st.from_regex(md.reading.METER_ID_PATTERN, fullmatch=True),
    interval_start=st.integers(0, md.timeutil.MAX_INSTANT // 900).map(lambda k: k * 900),
    import_wh=st.integers(0, 2**53 - 1),
    export_wh=st.integers(0, 2**53 - 1),
)


@given(readings, readings)
def test_encoding_round_trips_and_is_injective(a: md.MeterReading, b: md.MeterReading) -> None:
    assert md.decode_reading(md.encode_reading(a)) == a
    assert (md.encode_reading(a) == md.encode_reading(b)) == (a == b)


@given(readings)
def test_transport_round_trip(reading: md.MeterReading) -> None:
    signed = md.SignedReading(reading, b"\x30\x06\x02\x01\x01\x02\x01\x01")
    assert md.SignedReading.from_json_dict(json.loads(json.dumps(signed.to_json_dict()))) == signed
    assert base64.b64decode(signed.to_json_dict()["signature"]) == signed.signature
