"""The decoders the adversarial test reads a peer's ledger folder with (tests/fabric)."""

from __future__ import annotations

import struct

import pytest
from fabric.ledger_files import log_records, snappy_decompress


def test_snappy_literals_and_overlapping_copies() -> None:
    # 12 bytes: literal "abc", then a copy of 9 bytes from 3 back (overlapping itself)
    assert snappy_decompress(bytes([12, 0x08]) + b"abc" + bytes([0x15, 3])) == b"abc" * 4
    # a copy with a two-byte offset
    assert snappy_decompress(bytes([8, 0x0C]) + b"wxyz" + bytes([0x0E, 4, 0])) == b"wxyzwxyz"


def test_snappy_refuses_a_wrong_length() -> None:
    with pytest.raises(ValueError, match="announced"):
        snappy_decompress(bytes([5, 0x08]) + b"abc")


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<IHB", 0, len(data), kind) + data


def test_log_records_join_fragments_across_blocks() -> None:
    first = b"x" * (32768 - 7)
    log = _record(2, first) + _record(4, b"tail") + _record(1, b"whole")
    assert list(log_records(log)) == [first + b"tail", b"whole"]
