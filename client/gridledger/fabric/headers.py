"""Common headers: channel header, signature header, and the current timestamp."""

from __future__ import annotations

from datetime import UTC, datetime

from fabric_protos.common import common_pb2

HEADER_TYPE_ENDORSER_TRANSACTION = int(common_pb2.HeaderType.ENDORSER_TRANSACTION)
HEADER_TYPE_DELIVER_SEEK_INFO = int(common_pb2.HeaderType.DELIVER_SEEK_INFO)


def channel_header_bytes(
    *,
    header_type: int,
    channel: str,
    transaction_id: str = "",
    extension: bytes = b"",
    tls_cert_hash: bytes = b"",
    timestamp: datetime | None = None,
) -> bytes:
    header = common_pb2.ChannelHeader(
        type=header_type,
        version=0,
        channel_id=channel,
        tx_id=transaction_id,
        epoch=0,
        extension=extension,
        tls_cert_hash=tls_cert_hash,
    )
    header.timestamp.FromDatetime(timestamp if timestamp is not None else datetime.now(UTC))
    return bytes(header.SerializeToString())


def signature_header_bytes(creator: bytes, nonce: bytes = b"") -> bytes:
    header = common_pb2.SignatureHeader(creator=creator, nonce=nonce)
    return bytes(header.SerializeToString())


def header_bytes(channel_header: bytes, signature_header: bytes) -> bytes:
    header = common_pb2.Header(channel_header=channel_header, signature_header=signature_header)
    return bytes(header.SerializeToString())
