"""The outbox against the session devnet: good items commit once; a rejected one is given up at
once, with its reason stored, reported by the drain and passed to ``on_give_up``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gridledger.outbox import GiveUp, ItemState, Outbox, OutboxDrainer
from harness.devnet import TestNetwork

from faults.readings import Reading

pytestmark = pytest.mark.integration


def test_rejections_are_given_up_with_their_reason_and_the_rest_commit(
    utility_gateway: Any, test_network: TestNetwork, unique_key: str, tmp_path: Path
) -> None:
    channel, chaincode = test_network.channel, test_network.chaincode
    reported: list[GiveUp] = []
    with Outbox.open(tmp_path / "outbox.sqlite") as outbox:
        for n in range(5):
            outbox.enqueue(
                f"{unique_key}put-{n}",
                channel,
                chaincode,
                "Put",
                [f"{unique_key}{n}", "v"],
                contract="kv",
            )
        outbox.enqueue(
            f"{unique_key}fail", channel, chaincode, "Fail", ["refused on purpose"], contract="kv"
        )
        ghost = Reading(f"ghost-{unique_key[-11:-1]}", 0)  # a meter nobody registered
        outbox.enqueue(
            f"{unique_key}ghost",
            channel,
            chaincode,
            "SubmitReadings",
            ghost.request().args,
            contract="energy",
            transient=ghost.request().transient,
        )
        with OutboxDrainer(outbox, utility_gateway, on_give_up=reported.append) as drainer:
            report = drainer.drain(timeout=60)

        assert len(report.committed) == 5 and not report.retrying
        assert sorted(g.idempotency_key for g in report.gave_up) == sorted(
            g.idempotency_key for g in reported
        )
        failures = {failure.idempotency_key: failure for failure in outbox.failures()}
        assert set(failures) == {f"{unique_key}fail", f"{unique_key}ghost"}
        assert "refused on purpose" in failures[f"{unique_key}fail"].reason
        assert f"not found: unknown meter {ghost.meter_id}" in failures[f"{unique_key}ghost"].reason
        assert all(f.attempts == 1 for f in failures.values())  # never retried
        kv = utility_gateway.network(channel).contract(chaincode, "kv")
        for item in outbox.items(ItemState.COMMITTED):
            assert item.result == b""
            assert kv.evaluate("Get", item.request.args[0].decode()) == b"v"
