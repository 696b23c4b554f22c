from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fabric_protos.common import common_pb2
from fabric_protos.orderer import ab_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from gridledger.fabric import (
    MAX_BLOCK_NUMBER,
    ChaincodeInvocation,
    Identity,
    Signer,
    TransactionContext,
    compute_transaction_id,
    deliver_payload_bytes,
    proposal_bytes,
    qualified_function_name,
    read_envelope,
    read_proposal_header,
    signed_envelope_bytes,
    signed_proposal_bytes,
)


def verify(identity: Identity, signature: bytes, message: bytes) -> None:
    key = identity.x509.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(signature, message, ec.ECDSA(hashes.SHA256()))


def test_transaction_id_is_sha256_of_nonce_and_creator(user: tuple[Identity, Signer]) -> None:
    creator = user[0].serialize()
    context = TransactionContext.new(creator)
    assert len(context.nonce) == 24
    assert context.transaction_id == hashlib.sha256(context.nonce + creator).hexdigest()
    assert (
        compute_transaction_id(b"\x01" * 24, b"c")
        == hashlib.sha256(b"\x01" * 24 + b"c").hexdigest()
    )
    assert TransactionContext.new(creator).transaction_id != context.transaction_id


def test_qualified_function_name() -> None:
    assert qualified_function_name("meters", "RegisterMeter") == "meters:RegisterMeter"
    assert qualified_function_name("", "RegisterMeter") == "RegisterMeter"


def test_proposal_decodes_to_fabric_structure(user: tuple[Identity, Signer]) -> None:
    identity = user[0]
    context = TransactionContext.new(identity.serialize())
    moment = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    invocation = ChaincodeInvocation(
        channel="energy",
        chaincode="gridledger",
        function="readings:SubmitReading",
        args=[b"meter-1", b"1500"],
        transient={"price": b"12"},
    )
    raw = proposal_bytes(invocation, context, timestamp=moment)

    proposal = proposal_pb2.Proposal.FromString(raw)
    header = common_pb2.Header.FromString(proposal.header)
    channel_header = common_pb2.ChannelHeader.FromString(header.channel_header)
    assert channel_header.type == common_pb2.HeaderType.ENDORSER_TRANSACTION
    assert channel_header.channel_id == "energy"
    assert channel_header.tx_id == context.transaction_id
    assert channel_header.epoch == 0
    assert channel_header.timestamp.ToDatetime(tzinfo=UTC) == moment
    extension = proposal_pb2.ChaincodeHeaderExtension.FromString(channel_header.extension)
    assert extension.chaincode_id.name == "gridledger"

    signature_header = common_pb2.SignatureHeader.FromString(header.signature_header)
    assert signature_header.creator == identity.serialize()
    assert signature_header.nonce == context.nonce

    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    assert dict(payload.TransientMap) == {"price": b"12"}
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input)
    assert spec.chaincode_spec.chaincode_id.name == "gridledger"
    assert list(spec.chaincode_spec.input.args) == [
        b"readings:SubmitReading",
        b"meter-1",
        b"1500",
    ]

    parsed = read_proposal_header(raw)
    assert (parsed.channel, parsed.transaction_id) == ("energy", context.transaction_id)


def test_signed_proposal_signature_verifies(user: tuple[Identity, Signer]) -> None:
    identity, signer = user
    context = TransactionContext.new(identity.serialize())
    raw = proposal_bytes(ChaincodeInvocation("energy", "gridledger", "Get", [b"k"]), context)
    signed = proposal_pb2.SignedProposal.FromString(
        signed_proposal_bytes(raw, signer.sign_message(raw))
    )
    assert signed.proposal_bytes == raw
    verify(identity, signed.signature, signed.proposal_bytes)


def test_deliver_envelope_carries_seek_info(user: tuple[Identity, Signer]) -> None:
    identity, signer = user
    payload = deliver_payload_bytes(
        channel="energy", creator=identity.serialize(), start_block=5, tls_cert_hash=b"h"
    )
    envelope = read_envelope(signed_envelope_bytes(payload, signer.sign))
    assert envelope.payload == payload
    verify(identity, envelope.signature, payload)

    decoded = common_pb2.Payload.FromString(payload)
    channel_header = common_pb2.ChannelHeader.FromString(decoded.header.channel_header)
    assert channel_header.type == common_pb2.HeaderType.DELIVER_SEEK_INFO
    assert channel_header.channel_id == "energy"
    assert channel_header.tls_cert_hash == b"h"
    creator = common_pb2.SignatureHeader.FromString(decoded.header.signature_header).creator
    assert creator == identity.serialize()
    seek = ab_pb2.SeekInfo.FromString(decoded.data)
    assert seek.start.specified.number == 5
    assert seek.stop.specified.number == MAX_BLOCK_NUMBER
    assert seek.behavior == ab_pb2.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY


def test_deliver_without_start_block_seeks_next_commit(user: tuple[Identity, Signer]) -> None:
    payload = deliver_payload_bytes(channel="energy", creator=user[0].serialize(), start_block=None)
    seek = ab_pb2.SeekInfo.FromString(common_pb2.Payload.FromString(payload).data)
    assert seek.start.WhichOneof("Type") == "next_commit"
