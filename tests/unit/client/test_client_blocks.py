"""Decoding the ledger's blocks (``gridledger.gateway.blocks``): built from Fabric's own protobuf
types, as a peer's ``qscc`` answers them."""

from __future__ import annotations

import pytest
from fabric_protos.common import common_pb2, ledger_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2, transaction_pb2
from gridledger.gateway.blocks import (
    BlockDecodeError,
    decode_block,
    decode_chain_info,
    decode_processed_transaction,
)

VALID = transaction_pb2.TxValidationCode.VALID
MVCC = transaction_pb2.TxValidationCode.MVCC_READ_CONFLICT


def identity(msp_id: str) -> bytes:
    return identities_pb2.SerializedIdentity(mspid=msp_id, id_bytes=b"cert").SerializeToString()


def envelope(
    tx_id: str, function: str, endorsers: list[str], seconds: int = 1_750_000_000
) -> bytes:
    extension = proposal_pb2.ChaincodeHeaderExtension(
        chaincode_id=chaincode_pb2.ChaincodeID(name="gridledger")
    )
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.ENDORSER_TRANSACTION,
        channel_id="energy",
        tx_id=tx_id,
        extension=extension.SerializeToString(),
    )
    channel_header.timestamp.seconds = seconds
    signature_header = common_pb2.SignatureHeader(creator=identity("ProsumerMSP"), nonce=b"n")
    invocation = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            chaincode_id=chaincode_pb2.ChaincodeID(name="gridledger"),
            input=chaincode_pb2.ChaincodeInput(args=[function.encode(), b"offer-1", b"500"]),
        )
    )
    proposal = proposal_pb2.ChaincodeProposalPayload(input=invocation.SerializeToString())
    action = transaction_pb2.ChaincodeActionPayload(
        chaincode_proposal_payload=proposal.SerializeToString(),
        action=transaction_pb2.ChaincodeEndorsedAction(
            proposal_response_payload=b"response",
            endorsements=[
                {"endorser": identity(msp_id), "signature": b"sig"} for msp_id in endorsers
            ],
        ),
    )
    transaction = transaction_pb2.Transaction(
        actions=[transaction_pb2.TransactionAction(payload=action.SerializeToString())]
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(
            channel_header=channel_header.SerializeToString(),
            signature_header=signature_header.SerializeToString(),
        ),
        data=transaction.SerializeToString(),
    )
    return common_pb2.Envelope(
        payload=payload.SerializeToString(), signature=b"s"
    ).SerializeToString()


def config_envelope() -> bytes:
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.CONFIG, channel_id="energy"
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(
            channel_header=channel_header.SerializeToString(),
            signature_header=common_pb2.SignatureHeader(
                creator=identity("OrdererMSP")
            ).SerializeToString(),
        ),
        data=b"config",
    )
    return common_pb2.Envelope(payload=payload.SerializeToString()).SerializeToString()


def block(number: int, envelopes: list[bytes], codes: list[int]) -> bytes:
    built = common_pb2.Block()
    built.header.number = number
    built.header.previous_hash = b"p" * 32
    built.header.data_hash = b"d" * 32
    built.data.data.extend(envelopes)
    slots = [b""] * len(common_pb2.BlockMetadataIndex.keys())
    slots[common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER] = bytes(codes)
    built.metadata.metadata.extend(slots)
    return built.SerializeToString()


def test_each_transaction_of_a_block_with_its_code_endorsers_and_invocation() -> None:
    answer = block(
        7,
        [
            envelope("tx-a", "energy:Buy", ["GridOperatorMSP", "ProsumerMSP"]),
            envelope("tx-b", "energy:Buy", ["ProsumerMSP"]),
        ],
        [VALID, MVCC],
    )
    decoded = decode_block(answer)
    assert (decoded.number, decoded.previous_hash, decoded.data_hash) == (7, b"p" * 32, b"d" * 32)
    first, second = decoded.transactions
    assert first.transaction_id == "tx-a" and first.index == 0 and first.block_number == 7
    assert first.validation_code == "VALID" and first.valid
    assert first.endorsers == ("GridOperatorMSP", "ProsumerMSP")
    assert (first.chaincode, first.function) == ("gridledger", "energy:Buy")
    assert first.creator_msp == "ProsumerMSP" and first.timestamp == 1_750_000_000
    assert first.kind == "ENDORSER_TRANSACTION"
    assert second.validation_code == "MVCC_READ_CONFLICT" and not second.valid
    assert second.index == 1 and second.endorsers == ("ProsumerMSP",)


def test_a_configuration_transaction_invokes_no_chaincode() -> None:
    (config,) = decode_block(block(0, [config_envelope()], [VALID])).transactions
    assert config.kind == "CONFIG" and config.creator_msp == "OrdererMSP"
    assert (config.chaincode, config.function, config.endorsers) == ("", "", ())


def test_a_block_without_its_filter_has_no_validation_codes() -> None:
    built = common_pb2.Block()
    built.data.data.append(envelope("tx-c", "energy:Buy", ["ProsumerMSP"]))
    (transaction,) = decode_block(built.SerializeToString()).transactions
    assert transaction.validation_code == ""


def test_chain_info_and_a_processed_transaction() -> None:
    info = ledger_pb2.BlockchainInfo(height=12, currentBlockHash=b"c", previousBlockHash=b"p")
    decoded = decode_chain_info(info.SerializeToString())
    assert (decoded.height, decoded.current_block_hash, decoded.previous_block_hash) == (
        12,
        b"c",
        b"p",
    )
    processed = transaction_pb2.ProcessedTransaction(
        transactionEnvelope=common_pb2.Envelope.FromString(
            envelope("tx-d", "energy:Buy", ["GridOperatorMSP"])
        ),
        validationCode=MVCC,
    )
    transaction = decode_processed_transaction(processed.SerializeToString())
    assert (
        transaction.transaction_id == "tx-d" and transaction.validation_code == "MVCC_READ_CONFLICT"
    )
    assert transaction.index == -1 and transaction.endorsers == ("GridOperatorMSP",)


def test_what_is_not_a_ledger_message_is_refused() -> None:
    with pytest.raises(BlockDecodeError):
        decode_block(b"\xff\xff\xff")
    with pytest.raises(BlockDecodeError):
        decode_block(block(1, [b"\x0a\x03abc"], [VALID]))
