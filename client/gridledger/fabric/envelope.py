"""Envelopes: signing a payload, and the Deliver request (a SeekInfo in a signed envelope)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fabric_protos.common import common_pb2
from fabric_protos.orderer import ab_pb2
from gridledger.fabric.hashing import sha256
from gridledger.fabric.headers import (
    HEADER_TYPE_DELIVER_SEEK_INFO,
    channel_header_bytes,
    signature_header_bytes,
)

MAX_BLOCK_NUMBER = 2**64 - 1


def envelope_bytes(payload: bytes, signature: bytes = b"") -> bytes:
    """Serialized ``common.Envelope``."""
    return bytes(common_pb2.Envelope(payload=payload, signature=signature).SerializeToString())


def signed_envelope_bytes(payload: bytes, sign: Callable[[bytes], bytes]) -> bytes:
    """An envelope whose signature is ``sign(SHA-256(payload))`` (e.g. a ``Signer``)."""
    return envelope_bytes(payload, sign(sha256(payload)))


@dataclass(frozen=True)
class EnvelopeParts:
    payload: bytes
    signature: bytes


def read_envelope(envelope: bytes) -> EnvelopeParts:
    decoded = common_pb2.Envelope.FromString(envelope)
    return EnvelopeParts(payload=bytes(decoded.payload), signature=bytes(decoded.signature))


def seek_position(start_block: int | None) -> ab_pb2.SeekPosition:
    """Specified block, or the next commit when ``start_block`` is None."""
    if start_block is None:
        return ab_pb2.SeekPosition(next_commit=ab_pb2.SeekNextCommit())
    if start_block < 0:
        raise ValueError(f"start block must be >= 0, got {start_block}")
    return ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=start_block))


def seek_info_bytes(start_block: int | None, stop_block: int = MAX_BLOCK_NUMBER) -> bytes:
    info = ab_pb2.SeekInfo(
        start=seek_position(start_block),
        stop=ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=stop_block)),
        behavior=ab_pb2.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY,
    )
    return bytes(info.SerializeToString())


def deliver_payload_bytes(
    *,
    channel: str,
    creator: bytes,
    start_block: int | None,
    stop_block: int = MAX_BLOCK_NUMBER,
    tls_cert_hash: bytes = b"",
    timestamp: datetime | None = None,
) -> bytes:
    """Serialized ``common.Payload`` of a DELIVER_SEEK_INFO request (to be signed)."""
    channel_header = channel_header_bytes(
        header_type=HEADER_TYPE_DELIVER_SEEK_INFO,
        channel=channel,
        tls_cert_hash=tls_cert_hash,
        timestamp=timestamp,
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(
            channel_header=channel_header, signature_header=signature_header_bytes(creator)
        ),
        data=seek_info_bytes(start_block, stop_block),
    )
    return bytes(payload.SerializeToString())


__all__ = [
    "MAX_BLOCK_NUMBER",
    "EnvelopeParts",
    "deliver_payload_bytes",
    "envelope_bytes",
    "read_envelope",
    "seek_info_bytes",
    "seek_position",
    "signed_envelope_bytes",
]
