"""``AsyncEnergyClient`` on the devnet: the same contract calls, awaited, with batches of one
meter's readings running in order and other meters' side by side."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from gridledger.energy import AsyncEnergyClient, MeterSigner, NotFound, Progress, SignedReading
from harness.devnet import OPERATOR

from .conftest import PEOPLE, Market

pytestmark = pytest.mark.integration

DAY = datetime(2025, 10, 2, tzinfo=UTC)


def test_async_energy_client_registers_submits_and_reads_back(profile: Any, market: Market) -> None:
    owner = "carol"
    signers = [
        MeterSigner.simulated(f"AS-{uuid.uuid4().hex[:8]}", seed=f"async {i}") for i in range(2)
    ]
    readings = {
        s.meter_id: list(s.sign_series(DAY, ((i * 40, 0) for i in range(30)))) for s in signers
    }
    progress: list[Progress] = []

    async def scenario() -> tuple[str, int, list[list[SignedReading]], bool]:
        async with AsyncEnergyClient.connect(profile, OPERATOR, "utility") as utility:
            me = await utility.whoami()
            for signer in signers:
                await utility.register_meter(
                    signer.meter_id,
                    market.ids[owner],
                    "consumption",
                    "grid",
                    PEOPLE[owner][2],
                    signer.public_key_pem,
                )
            everything = [r for series in readings.values() for r in series]
            summary = await utility.submit_readings(
                everything, batch_size=10, max_in_flight=3, on_progress=progress.append
            )
            stored = [
                await utility.readings(s.meter_id, DAY, DAY + timedelta(days=1)) for s in signers
            ]
            try:
                await utility.meter(f"AS-missing-{uuid.uuid4().hex[:8]}")
                refused = False
            except NotFound:
                refused = True
            return me.participant_id, summary.stored, stored, refused

    participant, stored_count, stored, refused = asyncio.run(scenario())
    assert participant == market.utility.whoami().participant_id
    assert stored_count == 60
    assert stored == [readings[s.meter_id] for s in signers]
    assert refused
    assert [p.batches_done for p in progress] == list(range(1, 7))
    # the synchronous client reads the same ledger
    assert (
        market.utility.readings(signers[0].meter_id, DAY, DAY + timedelta(days=1)).all()
        == stored[0]
    )
