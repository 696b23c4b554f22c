"""What the orderer checks before accepting an envelope (Fabric's standard channel msgprocessor).

The envelope's creator and signature must satisfy the channel's ``/Channel/Writers`` policy
(Fabric's SigFilter): an unknown creator or a bad signature counts as no signer at all.
"""

from __future__ import annotations

from typing import Any

from fabric_protos.common import common_pb2

from gridledger_network.devnet.channel.channel_config import DevnetChannelConfig
from gridledger_network.devnet.interfaces import OrdererRejected
from gridledger_network.devnet.policy import PolicyDenied, SignedData, verified_signers

Status = common_pb2.Status
WRITERS = "/Channel/Writers"  # the policy Fabric's orderer checks on a normal transaction


def check_envelope(envelope: Any, channel: DevnetChannelConfig, absolute_max_bytes: int) -> bytes:
    """Return the envelope's bytes, or raise ``OrdererRejected`` with a ``common.Status``."""
    if isinstance(envelope, (bytes, bytearray)):
        data = bytes(envelope)
        envelope = common_pb2.Envelope()
        try:
            envelope.ParseFromString(data)
        except Exception as exc:  # protobuf DecodeError (google.protobuf is untyped here)
            raise OrdererRejected(Status.BAD_REQUEST, f"not a common.Envelope: {exc}") from exc
    else:
        data = envelope.SerializeToString()
    if len(data) > absolute_max_bytes:
        raise OrdererRejected(
            Status.REQUEST_ENTITY_TOO_LARGE,
            f"message payload is {len(data)} bytes and exceeds maximum allowed "
            f"{absolute_max_bytes} bytes",
        )
    payload = common_pb2.Payload()
    chdr = common_pb2.ChannelHeader()
    shdr = common_pb2.SignatureHeader()
    try:
        payload.ParseFromString(envelope.payload)
    except Exception as exc:  # protobuf DecodeError (google.protobuf is untyped here)
        raise OrdererRejected(Status.BAD_REQUEST, f"bad envelope payload: {exc}") from exc
    if not payload.HasField("header"):
        raise OrdererRejected(Status.BAD_REQUEST, "envelope payload has no header")
    try:
        chdr.ParseFromString(payload.header.channel_header)
        shdr.ParseFromString(payload.header.signature_header)
    except Exception as exc:  # protobuf DecodeError (google.protobuf is untyped here)
        raise OrdererRejected(Status.BAD_REQUEST, f"bad envelope header: {exc}") from exc
    if chdr.channel_id != channel.channel:
        raise OrdererRejected(Status.NOT_FOUND, f"channel {chdr.channel_id!r} not found")
    if chdr.type != common_pb2.ENDORSER_TRANSACTION:
        raise OrdererRejected(
            Status.BAD_REQUEST, f"header type {chdr.type} not supported by the devnet orderer"
        )
    signed = SignedData(bytes(shdr.creator), bytes(envelope.payload), bytes(envelope.signature))
    signers = verified_signers([signed], channel.msp_manager)
    try:
        channel.policies.evaluate(WRITERS, signers)
    except PolicyDenied as exc:  # Fabric's SigFilter wraps ErrPermissionDenied
        raise OrdererRejected(Status.FORBIDDEN, f"{exc}: permission denied") from exc
    return data
