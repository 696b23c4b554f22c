"""The client crashed mid-attempt: on restart the outbox looks up each in-doubt transaction
before endorsing again, so an item whose transaction did commit is not sent a second time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gridledger.outbox import AttemptOutcome, ItemState, Outbox, OutboxDrainer
from harness.devnet import TestNetwork

pytestmark = pytest.mark.integration


def test_in_doubt_transactions_are_looked_up_before_endorsing_again(
    operator_gateway: Any, test_network: TestNetwork, unique_key: str, tmp_path: Path
) -> None:
    channel, chaincode = test_network.channel, test_network.chaincode
    kv = operator_gateway.network(channel).contract(chaincode, "kv")
    path = tmp_path / "outbox.sqlite"
    sent_key, unsent_key = f"{unique_key}sent", f"{unique_key}unsent"
    with Outbox.open(path) as outbox:
        sent, unsent = (
            outbox.enqueue(key, channel, chaincode, "Put", [key, "v"], contract="kv")
            for key in (sent_key, unsent_key)
        )
        # the crashed client had sent the first item's transaction, and it committed...
        proposal = kv.new_proposal("Put", args=[sent_key, "v"])
        outbox.begin_attempt(sent.id, proposal.transaction_id)
        assert proposal.endorse().submit().status().successful
        # ...and had recorded the second one's, but died before sending it
        lost = kv.new_proposal("Put", args=[unsent_key, "v"]).transaction_id
        outbox.begin_attempt(unsent.id, lost)

    with Outbox.open(path) as outbox:
        with OutboxDrainer(outbox, operator_gateway, in_doubt_timeout=1.0) as drainer:
            report = drainer.drain(timeout=60)
        assert sorted(report.committed) == sorted([sent.id, unsent.id])
        assert outbox.get(sent.id).transaction_id == proposal.transaction_id
        assert [o for _, o, _ in outbox.transactions(sent.id)] == [AttemptOutcome.VALID]
        outcomes = [o for _, o, _ in outbox.transactions(unsent.id)]
        assert outcomes == [AttemptOutcome.LOST, AttemptOutcome.VALID]
        assert outbox.counts()[ItemState.COMMITTED] == 2
    for key in (sent_key, unsent_key):
        assert len(json.loads(kv.evaluate("History", key))) == 1
