"""The ledger's blocks as a reader sees them: the one place the client decodes a ``common.Block``.

``qscc`` (Fabric's query system chaincode, evaluated through the Gateway) answers
``GetChainInfo`` with a ``common.BlockchainInfo``, ``GetBlockByNumber`` with a ``common.Block``
and ``GetTransactionByID`` with a ``peer.ProcessedTransaction``; ``decode_block`` and friends turn
them into ``ChainInfo``, ``BlockInfo`` and ``BlockTransaction``: per transaction its id, time,
creator MSP, validation code name (from the block's transactions-filter metadata), the MSP ids
that endorsed it, and the chaincode name and function it invoked.

What the asyncio ``AsyncNetwork`` and its generated sync twin share.
"""

from __future__ import annotations

from dataclasses import dataclass

from fabric_protos.common import common_pb2, ledger_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2, transaction_pb2
from gridledger.errors import GridLedgerError
from gridledger.gateway.errors import validation_code_name

QSCC = "qscc"
FILTER_SLOT = common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER
_ENDORSER_TRANSACTION = common_pb2.HeaderType.ENDORSER_TRANSACTION


class BlockDecodeError(GridLedgerError, ValueError):
    """The peer's answer is not the ledger message it should be."""


@dataclass(frozen=True, slots=True)
class ChainInfo:
    """The channel's height (the next block's number) and its last two block hashes."""

    height: int
    current_block_hash: bytes
    previous_block_hash: bytes


@dataclass(frozen=True, slots=True)
class BlockTransaction:
    """One transaction of a block. ``timestamp`` is Unix seconds (the client's, in its header);
    ``kind`` the header type name (``ENDORSER_TRANSACTION``, ``CONFIG``); ``validation_code``
    the peer's ``TxValidationCode`` name (``VALID``, ``MVCC_READ_CONFLICT``, ...);
    ``endorsers`` the MSP ids of its endorsements in order; ``chaincode`` and ``function``
    empty for a transaction that invokes none (a configuration block's)."""

    block_number: int
    index: int
    transaction_id: str
    timestamp: int
    kind: str
    creator_msp: str
    validation_code: str
    endorsers: tuple[str, ...]
    chaincode: str
    function: str

    @property
    def valid(self) -> bool:
        return self.validation_code == "VALID"


@dataclass(frozen=True, slots=True)
class BlockInfo:
    number: int
    previous_hash: bytes
    data_hash: bytes
    transactions: tuple[BlockTransaction, ...]


def decode_chain_info(payload: bytes) -> ChainInfo:
    try:
        info = ledger_pb2.BlockchainInfo.FromString(payload)
    except Exception as err:  # protobuf DecodeError and friends
        raise BlockDecodeError(f"cannot decode BlockchainInfo: {err}") from err
    return ChainInfo(
        height=int(info.height),
        current_block_hash=bytes(info.currentBlockHash),
        previous_block_hash=bytes(info.previousBlockHash),
    )


def decode_block(payload: bytes) -> BlockInfo:
    """A ``common.Block``'s header and every transaction, with its validation code."""
    try:
        block = common_pb2.Block.FromString(payload)
    except Exception as err:
        raise BlockDecodeError(f"cannot decode Block: {err}") from err
    number = int(block.header.number)
    slots = block.metadata.metadata
    codes = bytes(slots[FILTER_SLOT]) if len(slots) > FILTER_SLOT else b""
    transactions = tuple(
        decode_envelope(envelope, number, index, codes[index] if index < len(codes) else None)
        for index, envelope in enumerate(block.data.data)
    )
    return BlockInfo(
        number=number,
        previous_hash=bytes(block.header.previous_hash),
        data_hash=bytes(block.header.data_hash),
        transactions=transactions,
    )


def decode_processed_transaction(payload: bytes, block_number: int = -1) -> BlockTransaction:
    """A ``peer.ProcessedTransaction`` (``GetTransactionByID``); its index in the block is not
    part of the answer (-1), nor is its block unless given."""
    try:
        processed = transaction_pb2.ProcessedTransaction.FromString(payload)
    except Exception as err:
        raise BlockDecodeError(f"cannot decode ProcessedTransaction: {err}") from err
    envelope = processed.transactionEnvelope.SerializeToString()
    return decode_envelope(envelope, block_number, -1, int(processed.validationCode))


def decode_envelope(
    envelope: bytes, block_number: int, index: int, code: int | None
) -> BlockTransaction:
    """One block entry (``common.Envelope`` bytes); ``code`` its validation code (None: the
    block carries none, as an uncommitted block would)."""
    try:
        payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(envelope).payload)
        channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        signature_header = common_pb2.SignatureHeader.FromString(payload.header.signature_header)
    except Exception as err:
        raise BlockDecodeError(
            f"cannot decode transaction {index} of block {block_number}: {err}"
        ) from err
    kind = int(channel_header.type)
    chaincode, function = "", ""
    endorsers: tuple[str, ...] = ()
    if kind == _ENDORSER_TRANSACTION:
        chaincode, function, endorsers = _invocation(
            payload.data, channel_header, block_number, index
        )
    return BlockTransaction(
        block_number=block_number,
        index=index,
        transaction_id=str(channel_header.tx_id),
        timestamp=int(channel_header.timestamp.seconds),
        kind=_header_type_name(kind),
        creator_msp=_msp_of(bytes(signature_header.creator)),
        validation_code="" if code is None else validation_code_name(code),
        endorsers=endorsers,
        chaincode=chaincode,
        function=function,
    )


def _invocation(
    data: bytes, channel_header: common_pb2.ChannelHeader, block_number: int, index: int
) -> tuple[str, str, tuple[str, ...]]:
    """Chaincode name, function and endorsing MSP ids of an endorser transaction."""
    try:
        extension = proposal_pb2.ChaincodeHeaderExtension.FromString(channel_header.extension)
        transaction = transaction_pb2.Transaction.FromString(data)
        if not transaction.actions:
            return str(extension.chaincode_id.name), "", ()
        action = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
        proposal = proposal_pb2.ChaincodeProposalPayload.FromString(
            action.chaincode_proposal_payload
        )
        invocation = chaincode_pb2.ChaincodeInvocationSpec.FromString(proposal.input)
    except Exception as err:
        raise BlockDecodeError(
            f"cannot decode the chaincode action of transaction {index} of block {block_number}: "
            f"{err}"
        ) from err
    args = invocation.chaincode_spec.input.args
    function = bytes(args[0]).decode("utf-8", errors="replace") if args else ""
    endorsers = tuple(
        _msp_of(bytes(endorsement.endorser)) for endorsement in action.action.endorsements
    )
    name = str(extension.chaincode_id.name) or str(invocation.chaincode_spec.chaincode_id.name)
    return name, function, endorsers


def _msp_of(serialized_identity: bytes) -> str:
    if not serialized_identity:
        return ""
    try:
        return str(identities_pb2.SerializedIdentity.FromString(serialized_identity).mspid)
    except Exception:
        return ""


def _header_type_name(kind: int) -> str:
    if kind in common_pb2.HeaderType.values():
        return str(common_pb2.HeaderType.Name(kind))
    return str(kind)
