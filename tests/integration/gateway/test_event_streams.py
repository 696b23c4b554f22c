"""Chaincode events, block events and filtered block events from the Deliver/Gateway streams."""

from __future__ import annotations

from typing import Any

import pytest
from gridledger.gateway import InMemoryCheckpointer
from harness.blocks import transaction_ids, validation_codes
from harness.devnet import TestNetwork
from harness.streams import read_until

pytestmark = pytest.mark.integration

VALID = 0


def _committed(kv: Any, function: str, *args: str) -> Any:
    """Submit through the split flow; return the commit status (tx id, block number)."""
    status = kv.new_proposal(function, args=list(args)).endorse().submit().status()
    assert status.successful, status
    return status


def test_chaincode_event_reaches_a_listener_started_before_the_submit(
    kv: Any, operator_network: Any, test_network: TestNetwork, unique_key: str
) -> None:
    height_marker = _committed(kv, "Noop")
    events = operator_network.chaincode_events(
        test_network.chaincode, start_block=height_marker.block_number + 1
    )
    key = f"{unique_key}k"
    status = _committed(kv, "Put", key, "v")

    seen = read_until(events, lambda event: event.transaction_id == status.transaction_id)
    event = seen[-1]
    assert event.transaction_id == status.transaction_id
    assert event.block_number == status.block_number
    assert event.chaincode_name == test_network.chaincode
    assert event.event_name == "Put"
    assert event.payload == key.encode()


def test_chaincode_events_replay_from_block_zero_and_resume_at_the_checkpoint(
    kv: Any, operator_network: Any, test_network: TestNetwork, unique_key: str
) -> None:
    first = _committed(kv, "Emit", "MeterRegistered", f"{unique_key}1")
    second = _committed(kv, "Emit", "ReadingSubmitted", f"{unique_key}2")
    checkpointer = InMemoryCheckpointer()

    def upto_first(event: Any) -> bool:
        checkpointer.checkpoint_chaincode_event(event)
        return event.transaction_id == first.transaction_id

    replayed = read_until(
        operator_network.chaincode_events(
            test_network.chaincode, start_block=0, checkpointer=checkpointer
        ),
        upto_first,
    )
    assert replayed[-1].transaction_id == first.transaction_id
    assert replayed[-1].payload == f"{unique_key}1".encode()
    assert replayed[0].block_number <= first.block_number
    assert checkpointer.block_number == first.block_number
    assert checkpointer.transaction_id == first.transaction_id

    # Resuming with the checkpointer starts right after the first event, whatever start_block says.
    resumed = read_until(
        operator_network.chaincode_events(
            test_network.chaincode, start_block=0, checkpointer=checkpointer
        ),
        lambda event: True,
    )
    assert resumed[0].transaction_id == second.transaction_id
    assert resumed[0].event_name == "ReadingSubmitted"


def test_block_events_deliver_the_committed_block(
    kv: Any, operator_network: Any, unique_key: str
) -> None:
    status = _committed(kv, "Put", f"{unique_key}b", "v")
    blocks = read_until(
        operator_network.block_events(start_block=status.block_number), lambda block: True
    )
    block = blocks[0]
    assert block.header.number == status.block_number
    ids = transaction_ids(block)
    assert status.transaction_id in ids
    assert validation_codes(block)[ids.index(status.transaction_id)] == VALID

    previous = read_until(
        operator_network.block_events(start_block=status.block_number - 1), lambda block: True
    )[0]
    assert previous.header.number == status.block_number - 1


def test_filtered_block_events_name_transactions_and_their_codes(
    kv: Any, operator_network: Any, test_network: TestNetwork, unique_key: str
) -> None:
    status = _committed(kv, "Put", f"{unique_key}f", "v")
    filtered = read_until(
        operator_network.filtered_block_events(start_block=status.block_number),
        lambda block: True,
    )[0]
    assert filtered.number == status.block_number
    assert filtered.channel_id == test_network.channel
    codes = {tx.txid: tx.tx_validation_code for tx in filtered.filtered_transactions}
    assert codes[status.transaction_id] == VALID
