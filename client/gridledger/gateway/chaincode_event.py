"""A chaincode event as the Gateway delivers it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChaincodeEvent:
    block_number: int
    transaction_id: str
    chaincode_name: str
    event_name: str
    payload: bytes


def chaincode_events_of(response: Any) -> list[ChaincodeEvent]:
    """The events of one ``gateway.ChaincodeEventsResponse`` (one block's worth)."""
    block_number = int(response.block_number)
    return [
        ChaincodeEvent(
            block_number=block_number,
            transaction_id=str(event.tx_id),
            chaincode_name=str(event.chaincode_id),
            event_name=str(event.event_name),
            payload=bytes(event.payload),
        )
        for event in response.events
    ]
