"""Reading committed blocks the way Fabric's gateway and deliver services do.

``BlockView`` parses a block's envelopes once and is shared by every stream that needs them
(chaincode events, filtered blocks, commit status).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from fabric_protos.common import common_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    events_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)

VALID = 0
INVALID_OTHER_REASON = 255


@dataclass(slots=True)
class TransactionView:
    index: int
    tx_id: str
    header_type: int
    validation_code: int
    payload: Any  # common.Payload
    _events: list[Any] | None = None

    def chaincode_events(self) -> list[Any]:
        """Events of each action (chaincode id, tx id, name, payload), as Fabric's gateway reads."""
        if self._events is None:
            self._events = []
            if self.header_type == common_pb2.ENDORSER_TRANSACTION:
                self._events = list(_actions_events(self.payload.data))
        return self._events


def _actions_events(data: bytes) -> list[Any]:
    events: list[Any] = []
    try:
        transaction = transaction_pb2.Transaction.FromString(data)
    except Exception:
        return events
    for action in transaction.actions:
        try:
            action_payload = transaction_pb2.ChaincodeActionPayload.FromString(action.payload)
            response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(
                action_payload.action.proposal_response_payload
            )
            chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)
            event = chaincode_event_pb2.ChaincodeEvent.FromString(chaincode_action.events)
        except Exception:
            continue
        events.append(event)
    return events


class BlockView:
    def __init__(self, block: Any) -> None:
        self.block = block
        self.number = int(block.header.number)
        self._transactions: list[TransactionView] | None = None

    def _flag(self, index: int) -> int:
        metadata = self.block.metadata.metadata
        if len(metadata) <= common_pb2.TRANSACTIONS_FILTER:
            return INVALID_OTHER_REASON
        flags = metadata[common_pb2.TRANSACTIONS_FILTER]
        return flags[index] if index < len(flags) else INVALID_OTHER_REASON

    def transactions(self) -> list[TransactionView]:
        if self._transactions is None:
            views = []
            for index, envelope_bytes in enumerate(self.block.data.data):
                try:
                    envelope = common_pb2.Envelope.FromString(envelope_bytes)
                    payload = common_pb2.Payload.FromString(envelope.payload)
                    header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
                except Exception:
                    continue
                views.append(
                    TransactionView(index, header.tx_id, header.type, self._flag(index), payload)
                )
            self._transactions = views
        return self._transactions

    def chaincode_events(self) -> list[Any]:
        """Events of valid endorser transactions, for the Gateway's ChaincodeEvents."""
        events = []
        for tx in self.transactions():
            if tx.header_type != common_pb2.ENDORSER_TRANSACTION or tx.validation_code != VALID:
                continue
            for event in tx.chaincode_events():
                if event.chaincode_id and event.event_name and event.tx_id:
                    events.append(event)
        return events

    def filtered_block(self, channel_id: str) -> Any:
        filtered = events_pb2.FilteredBlock(number=self.number, channel_id=channel_id)
        for tx in self.transactions():
            entry = filtered.filtered_transactions.add(
                txid=tx.tx_id, type=tx.header_type, tx_validation_code=tx.validation_code
            )
            if tx.header_type == common_pb2.ENDORSER_TRANSACTION:
                actions = entry.transaction_actions
                actions.SetInParent()
                for event in tx.chaincode_events():
                    if event.chaincode_id:
                        actions.chaincode_actions.add().chaincode_event.CopyFrom(
                            chaincode_event_pb2.ChaincodeEvent(
                                tx_id=event.tx_id,
                                chaincode_id=event.chaincode_id,
                                event_name=event.event_name,
                            )
                        )
        return filtered


class BlockViewCache:
    """The most recent parsed blocks, shared by all streams of the process."""

    def __init__(self, ledger: Any, capacity: int = 64) -> None:
        self._ledger = ledger
        self._capacity = capacity
        self._views: OrderedDict[int, BlockView] = OrderedDict()

    def get(self, number: int) -> BlockView:
        view = self._views.get(number)
        if view is None:
            view = BlockView(self._ledger.block(number))
            self._views[number] = view
            if len(self._views) > self._capacity:
                self._views.popitem(last=False)
        else:
            self._views.move_to_end(number)
        return view
