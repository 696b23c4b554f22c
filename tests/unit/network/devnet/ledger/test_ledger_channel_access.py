"""Who may write to the channel, and how a refused creator is reported, as on Fabric 3.1.5.

The orderer checks ``/Channel/Writers`` (implicit meta ANY over the Application and Orderer
groups, each ANY over its orgs' Writers); the endorser tells a creator it cannot deserialize
("creator org unknown, creator is malformed") from one it deserialized but found invalid.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os

import pytest
from devnet_ledger_helpers import RWSet, endorser_tx, user_signer
from fabric_protos.common import common_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from gridledger_network.devnet.channel import DevnetChannel
from gridledger_network.devnet.crypto.certificates import Issued, issue_ca, issue_identity
from gridledger_network.devnet.endorser import ProposalError, unpack_proposal, validate_proposal
from gridledger_network.devnet.interfaces import OrdererRejected
from gridledger_network.devnet.msp import (
    Identity,
    LocalSigner,
    MalformedIdentity,
    UnknownIdentity,
    serialize_identity,
)
from gridledger_network.devnet.orderer import SoloOrderer
from gridledger_network.devnet.policy import PolicyDenied

OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"
WRITERS_DENIED = (
    "implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy "
    "requires 1 of the 'Writers' sub-policies to be satisfied"
)


def _identity(channel: DevnetChannel, signer: LocalSigner) -> Identity:
    return channel.channel_config.deserialize_and_verify_identity(signer.serialized_identity)


def _signer(issued: Issued, msp_id: str) -> LocalSigner:
    return LocalSigner(msp_id, issued.cert_pem, issued.key)


def test_channel_writers_are_clients_admins_and_the_orderer_org(channel: DevnetChannel) -> None:
    policies = channel.channel_config.policies
    layout = channel.layout
    for writer in (
        user_signer(channel),
        user_signer(channel, PROSUMER),
        LocalSigner.from_msp_dir(layout.user_msp_dir(OPERATOR, "Admin"), OPERATOR),
        channel.orderer_signer,
    ):
        policies.evaluate("/Channel/Writers", [_identity(channel, writer)])

    peer = _identity(channel, channel.peer_signers[OPERATOR])
    with pytest.raises(PolicyDenied) as denied:
        policies.evaluate("/Channel/Writers", [peer])
    assert str(denied.value) == WRITERS_DENIED
    policies.evaluate("/Channel/Application/Readers", [peer])  # a peer reads, it does not write
    with pytest.raises(PolicyDenied, match=WRITERS_DENIED):
        policies.evaluate("/Channel/Writers", [])


def test_majority_admins_counts_the_satisfied_orgs(channel: DevnetChannel) -> None:
    admin = LocalSigner.from_msp_dir(channel.layout.user_msp_dir(OPERATOR, "Admin"), OPERATOR)
    with pytest.raises(PolicyDenied) as denied:
        channel.channel_config.policies.evaluate(
            "/Channel/Application/Admins", [_identity(channel, admin)]
        )
    assert str(denied.value) == (
        "implicit policy evaluation failed - 1 sub-policies were satisfied, but this policy "
        "requires 2 of the 'Admins' sub-policies to be satisfied"
    )
    with pytest.raises(PolicyDenied, match="could not find policy /Channel/Nowhere/Writers"):
        channel.channel_config.policies.evaluate("/Channel/Nowhere/Writers", [])


def _orderer(channel: DevnetChannel) -> SoloOrderer:
    batch = dataclasses.replace(channel.config.batch, batch_timeout_ms=10)
    return SoloOrderer(channel.channel_config, channel.new_block_writer(), batch)


def _broadcast_refusal(channel: DevnetChannel, envelope: bytes) -> OrdererRejected:
    orderer = _orderer(channel)

    async def scenario() -> OrdererRejected:
        try:
            with pytest.raises(OrdererRejected) as rejected:
                orderer.broadcast(envelope)
            return rejected.value
        finally:
            orderer.stop()

    return asyncio.run(scenario())


def test_orderer_refuses_a_bad_signature_and_a_non_writer_as_fabric_does(
    channel: DevnetChannel,
) -> None:
    peers = list(channel.peer_signers.values())
    forged = endorser_tx(
        user_signer(channel),
        peers,
        RWSet(writes={"k": b"v"}),
        sign_envelope=user_signer(channel, PROSUMER),
    ).envelope
    by_peer = endorser_tx(channel.peer_signers[OPERATOR], peers, RWSet(writes={"k": b"v"}))
    rogue_ca = issue_ca("ca.rogue.example", "rogue.example")
    rogue = _signer(issue_identity(rogue_ca, "User1@rogue.example", "client"), OPERATOR)
    by_rogue = endorser_tx(rogue, peers, RWSet(writes={"k": b"v"}))

    for envelope in (forged, by_peer.envelope, by_rogue.envelope):
        refusal = _broadcast_refusal(channel, envelope)
        assert refusal.status == common_pb2.FORBIDDEN
        assert refusal.message == f"{WRITERS_DENIED}: permission denied"


def test_foreign_certificates_are_malformed_invalid_ones_are_not(channel: DevnetChannel) -> None:
    config = channel.channel_config
    rogue = issue_identity(issue_ca("ca.rogue.example", "rogue.example"), "u", "client")
    for serialized in (
        serialize_identity(OPERATOR, rogue.cert_pem),  # another CA
        serialize_identity("NobodyMSP", user_signer(channel).certificate_pem),  # unknown MSP
        b"\xff\xff\xff",  # not a SerializedIdentity
    ):
        with pytest.raises(MalformedIdentity):
            config.deserialize_and_verify_identity(serialized)
    from gridledger_network.devnet.crypto.certificates import load_issued

    ca = load_issued(channel.layout.ca_cert(OPERATOR), channel.layout.ca_key(OPERATOR))
    no_ou = issue_identity(ca, "nobody@gridoperator", None)
    with pytest.raises(UnknownIdentity) as invalid:
        config.deserialize_and_verify_identity(serialize_identity(OPERATOR, no_ou.cert_pem))
    assert not isinstance(invalid.value, MalformedIdentity)


def _signed_proposal(creator: LocalSigner, signature: bytes | None = None) -> object:
    nonce = os.urandom(24)
    creator_bytes = creator.serialized_identity
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.ENDORSER_TRANSACTION,
        channel_id="energy",
        tx_id=hashlib.sha256(nonce + creator_bytes).hexdigest(),
        extension=proposal_pb2.ChaincodeHeaderExtension(
            chaincode_id=chaincode_pb2.ChaincodeID(name="gridledger")
        ).SerializeToString(),
    )
    header = common_pb2.Header(
        channel_header=channel_header.SerializeToString(),
        signature_header=common_pb2.SignatureHeader(
            creator=creator_bytes, nonce=nonce
        ).SerializeToString(),
    )
    spec = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            chaincode_id=chaincode_pb2.ChaincodeID(name="gridledger"),
            input=chaincode_pb2.ChaincodeInput(args=[b"kv:Noop"]),
        )
    )
    proposal = proposal_pb2.Proposal(
        header=header.SerializeToString(),
        payload=proposal_pb2.ChaincodeProposalPayload(
            input=spec.SerializeToString()
        ).SerializeToString(),
    ).SerializeToString()
    return proposal_pb2.SignedProposal(
        proposal_bytes=proposal,
        signature=signature if signature is not None else creator.sign(proposal),
    )


def _validation_error(channel: DevnetChannel, signed: object) -> str:
    with pytest.raises(ProposalError) as refused:
        validate_proposal(unpack_proposal(signed), channel.channel_config)
    return str(refused.value)


def test_endorser_names_the_creator_org_only_when_it_could_deserialize_the_creator(
    channel: DevnetChannel,
) -> None:
    rogue_ca = issue_ca("ca.rogue.example", "rogue.example")
    rogue = _signer(issue_identity(rogue_ca, "User1@rogue.example", "client"), OPERATOR)
    assert _validation_error(channel, _signed_proposal(rogue)) == (
        "access denied: channel [energy] creator org unknown, creator is malformed"
    )
    user = user_signer(channel)
    bad_signature = _signed_proposal(user, signature=b"\x30\x06\x02\x01\x01\x02\x01\x01")
    assert _validation_error(channel, bad_signature) == (
        "access denied: channel [energy] creator org [GridOperatorMSP]"
    )
    from gridledger_network.devnet.crypto.certificates import load_issued

    ca = load_issued(channel.layout.ca_cert(OPERATOR), channel.layout.ca_key(OPERATOR))
    no_ou = _signer(issue_identity(ca, "nobody@gridoperator", None), OPERATOR)
    assert _validation_error(channel, _signed_proposal(no_ou)) == (
        "access denied: channel [energy] creator org [GridOperatorMSP]"
    )
