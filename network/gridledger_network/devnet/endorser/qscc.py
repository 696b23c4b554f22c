"""``qscc``, the peer's query system chaincode, as Fabric 3.1.5 answers it.

Arguments (the invocation's args): the function name, the channel, then its argument:
``GetChainInfo`` (none) answers a ``common.BlockchainInfo``; ``GetBlockByNumber`` (the number
in decimal) a ``common.Block`` exactly as committed (real envelopes, the transactions-filter
metadata of validation codes); ``GetBlockByTxID`` the block holding a transaction;
``GetTransactionByID`` a ``peer.ProcessedTransaction`` (the envelope and its validation code).
Each function's ACL resource is ``qscc/<function>``, by default ``/Channel/Application/Readers``
(an admin, peer or client of an application organisation). Failures are a chaincode error
(status 500) with Fabric's message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fabric_protos.common import common_pb2, ledger_pb2
from fabric_protos.peer import proposal_response_pb2, transaction_pb2

from gridledger_network.devnet.interfaces import ChannelConfig, Ledger
from gridledger_network.devnet.ledger.blocks import block_header_hash
from gridledger_network.devnet.policy.channel_policies import application_reader, readers_denied

NAME = "qscc"
SYSTEM_CHAINCODES = frozenset({NAME})
SUCCESS, ERROR = 200, 500


def _error(message: str) -> Any:
    return proposal_response_pb2.Response(status=ERROR, message=message)


def _success(message: Any) -> Any:
    return proposal_response_pb2.Response(status=SUCCESS, payload=message.SerializeToString())


class QueryChaincode:
    """``qscc`` on the devnet's one ledger."""

    def __init__(self, ledger: Ledger, channel_config: ChannelConfig) -> None:
        self.ledger = ledger
        self.channel_config = channel_config
        self._functions: dict[str, Callable[[bytes], Any]] = {
            "GetChainInfo": lambda _: self._chain_info(),
            "GetBlockByNumber": self._block_by_number,
            "GetBlockByTxID": self._block_by_tx_id,
            "GetTransactionByID": self._transaction_by_id,
        }

    def invoke(self, args: Sequence[bytes], creator: Any) -> Any:
        """The ``peer.Response`` to an invocation by ``creator`` (a verified identity)."""
        if len(args) < 2:
            return _error(f"Incorrect number of arguments, {len(args)}")
        function = bytes(args[0]).decode("utf-8", errors="replace")
        channel = bytes(args[1]).decode("utf-8", errors="replace")
        if function != "GetChainInfo" and len(args) < 3:
            return _error(f"missing 3rd argument for {function}")
        if channel != self.ledger.channel:
            return _error(f"Invalid chain ID, {channel}")
        if not application_reader(creator, self.channel_config.org_msp_ids):
            return _error(f"access denied for [{function}][{channel}]: [{readers_denied(channel)}]")
        handler = self._functions.get(function)
        if handler is None:
            return _error(f"Requested function {function} not found.")
        return handler(bytes(args[2]) if len(args) > 2 else b"")

    def _chain_info(self) -> Any:
        height = self.ledger.height
        info = ledger_pb2.BlockchainInfo(height=height)
        if height > 0:
            last = self.ledger.block(height - 1)
            info.currentBlockHash = block_header_hash(last.header)
            info.previousBlockHash = bytes(last.header.previous_hash)
        return _success(info)

    def _block_by_number(self, argument: bytes) -> Any:
        text = argument.decode("utf-8", errors="replace")
        if not text.isascii() or not text.isdigit():
            return _error(
                f'Failed to parse block number with error strconv.ParseUint: parsing "{text}": '
                "invalid syntax"
            )
        number = int(text)
        try:
            block = self.ledger.block(number)
        except KeyError:
            return _error(
                f"Failed to get block number {number}, error no such block number [{number}] "
                "in index"
            )
        return _success(block)

    def _located(self, tx_id: str) -> tuple[Any, int] | None:
        """The block holding ``tx_id`` (its first committed occurrence) and its index there."""
        status = self.ledger.tx_status(tx_id)
        if status is None:
            return None
        block = self.ledger.block(status.block_number)
        for index, envelope in enumerate(block.data.data):
            if _tx_id_of(bytes(envelope)) == tx_id:
                return block, index
        return None

    def _block_by_tx_id(self, argument: bytes) -> Any:
        tx_id = argument.decode("utf-8", errors="replace")
        found = self._located(tx_id)
        if found is None:
            return _error(f"Failed to get block for txID {tx_id}, error {_no_tx(tx_id)}")
        return _success(found[0])

    def _transaction_by_id(self, argument: bytes) -> Any:
        tx_id = argument.decode("utf-8", errors="replace")
        found = self._located(tx_id)
        if found is None:
            return _error(f"Failed to get transaction with id {tx_id}, error {_no_tx(tx_id)}")
        block, index = found
        codes = bytes(block.metadata.metadata[common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER])
        processed = transaction_pb2.ProcessedTransaction(
            transactionEnvelope=common_pb2.Envelope.FromString(block.data.data[index]),
            validationCode=codes[index] if index < len(codes) else 0,
        )
        return _success(processed)


def _no_tx(tx_id: str) -> str:
    return f"no such transaction ID [{tx_id}] in index"


def _tx_id_of(envelope: bytes) -> str:
    try:
        payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(envelope).payload)
        return str(common_pb2.ChannelHeader.FromString(payload.header.channel_header).tx_id)
    except Exception:
        return ""
