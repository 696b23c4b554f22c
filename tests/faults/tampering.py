"""Forging things a client should not be able to get away with: a certificate from a CA outside
the channel, an endorsed envelope edited after endorsement, a signed envelope of nonsense."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.peer import proposal_pb2, proposal_response_pb2, transaction_pb2
from gridledger.fabric.headers import (
    HEADER_TYPE_ENDORSER_TRANSACTION,
    channel_header_bytes,
    header_bytes,
    signature_header_bytes,
)
from gridledger.fabric.identity import Identity
from gridledger.fabric.signer import Signer
from gridledger.fabric.txcontext import TransactionContext


def _name(common_name: str, ou: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gridoperator.gridledger.local")]
    if ou:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def _certificate(
    subject: x509.Name, issuer: x509.Name, public_key: Any, signing_key: Any, ca: bool
) -> x509.Certificate:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signing_key, hashes.SHA256())
    )


def foreign_ca_pair(common_name: str = "ca.gridoperator.gridledger.local") -> tuple[Any, Any]:
    """A CA that looks like the org's (same names) but is not in the channel configuration."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name)
    return _certificate(name, name, key.public_key(), key, ca=True), key


def foreign_client(msp_id: str, ou: str = "client") -> tuple[Identity, Signer]:
    """An identity claiming ``msp_id`` whose certificate comes from a CA outside the channel."""
    ca_cert, ca_key = foreign_ca_pair()
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name("mallory", ou), ca_cert.subject, key.public_key(), ca_key, ca=False)
    return Identity(msp_id, cert.public_bytes(serialization.Encoding.PEM)), Signer(key)


def write_foreign_tls_client(directory: Path) -> tuple[Path, Path]:
    """A TLS client certificate and key from a CA the chaincode server does not trust."""
    ca_cert, ca_key = foreign_ca_pair("ca.elsewhere")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name("peer0"), ca_cert.subject, key.public_key(), ca_key, ca=False)
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "client.crt", directory / "client.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def rewrite_writes(prepared_bytes: bytes, new_value: bytes) -> bytes:
    """The ``PreparedTransaction`` with every public write's value replaced, unsigned again."""
    prepared = gateway_pb2.PreparedTransaction.FromString(prepared_bytes)
    payload = common_pb2.Payload.FromString(prepared.envelope.payload)
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    for action in transaction.actions:
        cap = transaction_pb2.ChaincodeActionPayload.FromString(action.payload)
        prp = proposal_response_pb2.ProposalResponsePayload.FromString(
            cap.action.proposal_response_payload
        )
        chaincode_action = proposal_pb2.ChaincodeAction.FromString(prp.extension)
        results = rwset_pb2.TxReadWriteSet.FromString(chaincode_action.results)
        for ns in results.ns_rwset:
            kv = kv_rwset_pb2.KVRWSet.FromString(ns.rwset)
            for write in kv.writes:
                write.value = new_value
            ns.rwset = kv.SerializeToString()
        chaincode_action.results = results.SerializeToString()
        prp.extension = chaincode_action.SerializeToString()
        cap.action.proposal_response_payload = prp.SerializeToString()
        action.payload = cap.SerializeToString()
    payload.data = transaction.SerializeToString()
    prepared.envelope.payload = payload.SerializeToString()
    prepared.envelope.signature = b""
    return bytes(prepared.SerializeToString())


def flip_payload_byte(prepared_bytes: bytes) -> bytes:
    """The ``PreparedTransaction`` with one payload byte changed, the signature kept."""
    prepared = gateway_pb2.PreparedTransaction.FromString(prepared_bytes)
    payload = bytearray(prepared.envelope.payload)
    payload[-1] ^= 0x01
    prepared.envelope.payload = bytes(payload)
    return bytes(prepared.SerializeToString())


def signed_nonsense_envelope(identity: Identity, signer: Signer, channel: str) -> tuple[str, Any]:
    """A properly signed ENDORSER_TRANSACTION envelope whose data is random bytes."""
    context = TransactionContext.new(identity.serialize())
    header = header_bytes(
        channel_header_bytes(
            header_type=HEADER_TYPE_ENDORSER_TRANSACTION,
            channel=channel,
            transaction_id=context.transaction_id,
        ),
        signature_header_bytes(context.creator, context.nonce),
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header.FromString(header), data=os.urandom(200)
    ).SerializeToString()
    envelope = common_pb2.Envelope(payload=payload, signature=signer.sign_message(payload))
    return context.transaction_id, envelope
