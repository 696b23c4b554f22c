"""The ``estimated`` flag of a reading: absent when false (old encodings, signatures and
transport forms unchanged), format version 2 and ``"estimated": true`` when set."""

from __future__ import annotations

import gridledger_domain as md
import pytest
from hypothesis import given
from hypothesis import strategies as st

KEY = md.simulated_meter_key("gridledger test vector meter 1")
PLAIN = md.MeterReading("MTR-0001", 1748736900, 1234, 56)
FLAGGED = md.MeterReading("MTR-0001", 1748736900, 1234, 56, estimated=True)
# vector 2 of docs/meter-readings.md, flagged estimated (format version 2)
FLAGGED_HEX = (
    "677269646c65646765722e6d657465722d72656164696e670200084d54522d3030303100000000683b9b"
    "8400000000000004d2000000000000003801"
)


def test_a_reading_without_the_flag_encodes_signs_and_travels_as_before() -> None:
    assert md.encode_reading(PLAIN).hex().startswith("677269646c65646765722e6d657465722d7265")
    assert md.encode_reading(PLAIN)[24] == 1 and len(md.encode_reading(PLAIN)) == 59
    assert "estimated" not in md.sign(PLAIN, KEY).to_json_dict()
    assert md.sign(PLAIN, KEY).signature.hex() == (
        "304402201e9232c1c4e243188e0ed4e1a19a8a34a3f56ba16957f078e0a0ff88d50f8396022000bfb272"
        "d10735d54bca399aa82a27950759ce3b5016e41df9e783c80c6ee25d"
    )


def test_the_flag_is_format_version_2_with_a_flags_byte_and_signed() -> None:
    assert md.encode_reading(FLAGGED).hex() == FLAGGED_HEX
    assert md.decode_reading(bytes.fromhex(FLAGGED_HEX)) == FLAGGED
    signed = md.sign(FLAGGED, KEY)
    md.verify_reading(FLAGGED, signed.signature, KEY.private_key.public_key())
    with pytest.raises(md.InvalidSignature):  # the flag cannot be dropped or added
        md.verify_reading(PLAIN, signed.signature, KEY.private_key.public_key())
    with pytest.raises(md.InvalidSignature):
        md.verify_reading(FLAGGED, md.sign(PLAIN, KEY).signature, KEY.private_key.public_key())


def test_version_2_refuses_other_flags_and_lengths() -> None:
    data = bytes.fromhex(FLAGGED_HEX)
    with pytest.raises(md.InvalidReading, match="flags"):
        md.decode_reading(data[:-1] + b"\x00")
    with pytest.raises(md.InvalidReading, match="flags"):
        md.decode_reading(data[:-1] + b"\x03")
    with pytest.raises(md.InvalidReading, match="length"):
        md.decode_reading(data[:-1])
    with pytest.raises(md.InvalidReading, match="length"):
        md.decode_reading(data + b"\x01")


def test_transport_form_writes_the_flag_only_when_true() -> None:
    data = md.sign(FLAGGED, KEY).to_json_dict()
    assert data["estimated"] is True
    assert md.SignedReading.from_json_dict(data).reading == FLAGGED
    plain = md.sign(PLAIN, KEY).to_json_dict()
    assert md.SignedReading.from_json_dict({**plain, "estimated": False}).reading == PLAIN
    with pytest.raises(md.InvalidReading, match="estimated must be true or false"):
        md.SignedReading.from_json_dict({**plain, "estimated": 1})
    with pytest.raises(md.InvalidReading, match="estimated must be true or false"):
        md.MeterReading("MTR-0001", 0, 0, 0, "yes")  # type: ignore[arg-type]
    with pytest.raises(md.InvalidReading, match="unexpected"):
        md.SignedReading.from_json_dict({**plain, "estimate": True})


@given(
    st.integers(0, 10**6).map(lambda n: n * 900),
    st.integers(0, 2**53 - 1),
    st.integers(0, 2**53 - 1),
    st.booleans(),
)
def test_every_reading_round_trips_and_flags_never_share_an_encoding(
    start: int, imported: int, exported: int, estimated: bool
) -> None:
    reading = md.MeterReading("M-1", start, imported, exported, estimated)
    encoded = md.encode_reading(reading)
    assert md.decode_reading(encoded) == reading
    other = md.MeterReading("M-1", start, imported, exported, not estimated)
    assert md.encode_reading(other) != encoded
    signed = md.SignedReading(reading, b"\x30\x06\x02\x01\x01\x02\x01\x01")
    assert md.SignedReading.from_json_dict(signed.to_json_dict()) == signed


def test_the_documented_version_2_vector_is_this_one() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parents[3] / "docs" / "meter-readings.md"
    assert f"encoding  {FLAGGED_HEX}\n" in doc.read_text()
