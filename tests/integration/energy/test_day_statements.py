"""Day statements on a devnet of their own (closing days freezes them for their participants):
a customer with 100 meters billed over a week, and a day closed with estimates whose actual
readings arrive later, trued up on the next period's bill."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from gridledger.energy import DayStatus, EnergyClient, MeterSigner, Role, SignedReading
from gridledger_domain import parse_utc
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS
from gridledger_domain.vocabulary import LineKind
from harness.devnet import OPERATOR, PROSUMER, running_test_network

from .conftest import tariff_v1

pytestmark = pytest.mark.integration

WEEK0 = parse_utc("2025-03-03T00:00:00Z")
DAY_A = parse_utc("2025-04-01T00:00:00Z")
STEPS = DAY_SECONDS // INTERVAL_SECONDS


@dataclass
class Ledger:
    utility: EnergyClient
    ids: dict[str, str]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    home = tmp_path_factory.mktemp("statements") / ".devnet"
    with running_test_network(home, with_node_chaincode=False) as network, ExitStack() as stack:
        utility = stack.enter_context(EnergyClient.connect(network.profile, OPERATOR, "utility"))
        utility.set_tariff(tariff_v1())
        ids = {}
        for user, org in (("dave", OPERATOR), ("carol", PROSUMER)):
            with EnergyClient.connect(network.profile, org, user) as client:
                me = client.whoami()
            utility.register_participant(me, Role.CONSUMER, zone="north", display_name=user)
            ids[user] = me.participant_id
        yield Ledger(utility, ids)


def meter(ledger: Ledger, user: str, meter_id: str) -> MeterSigner:
    signer = MeterSigner.simulated(meter_id, seed=f"statements {meter_id}")
    ledger.utility.register_meter(
        meter_id, ledger.ids[user], "consumption", "grid", "north", signer.public_key_pem
    )
    return signer


def test_a_customer_with_100_meters_is_billed_over_a_week(ledger: Ledger) -> None:
    dave = ledger.ids["dave"]
    readings: list[SignedReading] = []
    for number in range(100):
        signer = meter(ledger, "dave", f"M-DAVE-{number:03d}")
        per_interval = 10 + number  # Wh per 15 minutes
        readings.extend(
            signer.sign(WEEK0 + step * INTERVAL_SECONDS, step * per_interval, 0)
            for step in range(7 * STEPS + 1)
        )
    summary = ledger.utility.submit_readings(readings)
    assert summary.stored == 100 * (7 * STEPS + 1)

    bill = ledger.utility.settle(dave, WEEK0, WEEK0 + 7 * DAY_SECONDS)
    assert bill.complete and bill.intervals_settled == 7 * STEPS
    energy = sum(line.quantity for line in bill.lines if line.kind is LineKind.UTILITY_ENERGY)
    assert energy == 7 * STEPS * sum(10 + number for number in range(100))
    assert bill.matched_total.consumed_wh == energy
    verification = ledger.utility.verify_bill(dave, WEEK0, WEEK0 + 7 * DAY_SECONDS)
    assert verification.matches and len(verification.days) == 7
    # each day was closed once, by its own transaction: closing again changes nothing
    again = ledger.utility.close_days(WEEK0 + 3 * DAY_SECONDS, [dave])
    assert again.results[0].status is DayStatus.ALREADY_CLOSED
    assert ledger.utility.settle(dave, WEEK0, WEEK0 + 7 * DAY_SECONDS) == bill


def test_an_estimated_day_is_trued_up_on_the_next_bill(ledger: Ledger) -> None:
    carol = ledger.ids["carol"]
    signer = meter(ledger, "carol", "M-CAROL")

    def register_at(step: int) -> int:  # 100 Wh per interval, 600 Wh more from 17:00 (peak)
        return 100 * step + 600 * max(0, min(step, STEPS) - 68)

    every = [
        signer.sign(DAY_A + step * INTERVAL_SECONDS, register_at(step), 0)
        for step in range(2 * STEPS + 1)
    ]
    hole = set(range(60, 76))  # 15:00-18:45 unknown when the day is closed
    ledger.utility.submit_readings([r for step, r in enumerate(every) if step not in hole])

    waiting = ledger.utility.close_days(DAY_A, [carol]).results[0]
    assert waiting.status is DayStatus.WAITING and waiting.missing == len(hole)
    closed = ledger.utility.close_days(DAY_A, [carol], estimate=True).results[0]
    assert closed.status is DayStatus.CLOSED and closed.estimated == len(hole)
    first = ledger.utility.settle(carol, DAY_A, DAY_A + DAY_SECONDS)
    assert [e.method.value for e in first.estimates] == ["linear"]
    assert any(line.estimated for line in first.lines)

    ledger.utility.submit_readings([every[step] for step in sorted(hole)])
    due = ledger.utility.days_to_revise().all()
    assert [(d.participant, d.day) for d in due] == [(carol, DAY_A)]
    revision = ledger.utility.revise_day(carol, DAY_A)
    assert revision.revision == 1 and revision.true_up_total > 0  # the evening costs more

    second = ledger.utility.settle(carol, DAY_A + DAY_SECONDS, DAY_A + 2 * DAY_SECONDS)
    true_ups = [line for line in second.lines if line.corrects == DAY_A]
    assert true_ups and sum(line.amount for line in true_ups) == revision.true_up_total
    moved = {line.band: line.quantity for line in true_ups if line.kind is LineKind.UTILITY_ENERGY}
    assert moved["peak"] > 0 and sum(moved.values()) == 0  # energy moved between bands
    for start in (DAY_A, DAY_A + DAY_SECONDS):
        assert ledger.utility.verify_bill(carol, start, start + DAY_SECONDS).matches
