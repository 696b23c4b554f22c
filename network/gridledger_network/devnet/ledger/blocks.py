"""Block hashing as Fabric's protoutil: header hash over ASN.1 DER, data hash over envelopes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from fabric_protos.common import common_pb2

METADATA_SLOTS = len(common_pb2.BlockMetadataIndex.keys())  # SIGNATURES .. COMMIT_HASH


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _der(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(body)) + body


def _der_unsigned_integer(value: int) -> bytes:
    body = value.to_bytes(
        max(1, (value.bit_length() + 8) // 8), "big"
    )  # leading 0 keeps it positive
    return _der(0x02, body)


def header_bytes(number: int, previous_hash: bytes, data_hash: bytes) -> bytes:
    """ASN.1 DER of SEQUENCE { INTEGER number, OCTET STRING prev_hash, OCTET STRING data_hash }."""
    body = _der_unsigned_integer(number) + _der(0x04, previous_hash) + _der(0x04, data_hash)
    return _der(0x30, body)


def block_header_bytes(header: Any) -> bytes:
    return header_bytes(int(header.number), bytes(header.previous_hash), bytes(header.data_hash))


def block_header_hash(header: Any) -> bytes:
    return hashlib.sha256(block_header_bytes(header)).digest()


def compute_data_hash(envelopes: Sequence[bytes]) -> bytes:
    """SHA-256 over the concatenated envelope bytes (Fabric 3 ComputeBlockDataHash)."""
    return hashlib.sha256(b"".join(envelopes)).digest()


def new_block(number: int, previous_hash: bytes, envelopes: Sequence[bytes]) -> Any:
    """A ``common.Block`` with header, data and empty metadata slots."""
    block = common_pb2.Block()
    block.header.number = number
    block.header.previous_hash = previous_hash
    block.header.data_hash = compute_data_hash(envelopes)
    block.data.data.extend(envelopes)
    block.metadata.metadata.extend([b""] * METADATA_SLOTS)
    return block


def metadata_slot(block: Any, index: int) -> bytes:
    slots = block.metadata.metadata
    return bytes(slots[index]) if index < len(slots) else b""
