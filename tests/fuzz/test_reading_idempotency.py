"""What the outbox relies on, as a property of the ``energy`` contract: resubmitting a signed
reading is a no-op, a conflicting one is refused, and whatever the order of submissions a
meter's stored registers never go backwards in time order, also across gaps of several days
(the stored readings around a gap are further apart than the days a submission scans)."""

from __future__ import annotations

import itertools

from gridledger_chaincode.energy.periods import DAY_SECONDS
from gridledger_domain import INTERVAL_SECONDS, format_utc, parse_utc
from harness.energy_ledger import EnergyLedger
from hypothesis import given, settings
from hypothesis import strategies as st

METERS = ("m-1", "m-2")
START = parse_utc("2026-11-26T00:00:00Z")

submissions = st.lists(
    st.tuples(
        st.sampled_from(METERS),
        st.integers(0, 15),
        st.integers(-300, 300),
        st.integers(-15, 15),
    ),
    min_size=1,
    max_size=40,
)


def instant(index: int) -> int:
    """Pairs of adjacent intervals two days apart: index 0, 1 on day 0; 2, 3 on day 2; ..."""
    return START + (index // 2) * 2 * DAY_SECONDS + (index % 2) * INTERVAL_SECONDS


@settings(max_examples=100, deadline=None, derandomize=True)
@given(submissions=submissions, repeat_every=st.integers(1, 4))
def test_resubmission_is_a_no_op_and_registers_never_go_backwards(
    submissions: list[tuple[str, int, int, int]], repeat_every: int
) -> None:
    energy = EnergyLedger.with_meters(*METERS)
    ledger = energy.ledger
    accepted: dict[tuple[str, int], tuple[int, int]] = {}
    for number, (meter, index, noise, export_noise) in enumerate(submissions):
        # registers rising with time, give or take: some submissions go backwards
        imported, exported = 300 + 100 * index + noise, 20 + 10 * index + export_noise
        reading = (meter, instant(index), imported, exported)
        result = energy.submit(reading)
        if result.ok:
            previous = accepted.setdefault((meter, index), (imported, exported))
            assert previous == (imported, exported)
        else:
            assert result.message
        if number % repeat_every == 0 and result.ok:  # the outbox resending an in-doubt one
            history_before = {k: len(v) for k, v in ledger.history.items()}
            private_before = {c: dict(values) for c, values in ledger.private.items()}
            again = energy.submit(reading)
            assert again.ok, again.message
            assert again.json()["duplicates"] == 1
            assert {k: len(v) for k, v in ledger.history.items()} == history_before
            assert ledger.private == private_before
    for meter in METERS:
        stored = sorted((index, values) for (m, index), values in accepted.items() if m == meter)
        for (_, earlier), (_, later) in itertools.pairwise(stored):
            assert earlier[0] <= later[0] and earlier[1] <= later[1]
        for index, values in stored:  # read back from the owner's collection
            at = format_utc(instant(index))
            (record,) = energy.invoke("GetReadings", meter, at, at).json()["items"]
            assert (record["import_wh"], record["export_wh"]) == values


def test_registers_do_not_go_backwards_across_a_gap() -> None:
    """Found by fuzzing the toy ``meters`` contract (it compared adjacent intervals only); the
    energy contract compares with the nearest stored reading on each side, however far."""
    energy = EnergyLedger.with_meters("m-1")
    q = INTERVAL_SECONDS
    assert energy.submit(("m-1", START, 0, 1)).ok
    assert not energy.submit(("m-1", START + 2 * q, 0, 0)).ok  # two intervals later
    day = DAY_SECONDS
    assert energy.submit(("m-1", START + 3 * day, 200, 10)).ok
    assert energy.submit(("m-1", START + 10 * day, 300, 20)).ok
    # the nearest stored reading before day 6 is day 3's, beyond the days a submission scans
    before = energy.submit(("m-1", START + 6 * day, 150, 15))
    assert not before.ok and "going backwards" in before.message
    # the nearest stored reading after day 1 is day 3's, not the meter's last (day 10)
    after = energy.submit(("m-1", START + 1 * day, 250, 5))
    assert not after.ok and "going backwards" in after.message
    assert energy.submit(("m-1", START + 6 * day, 250, 15)).ok
    assert energy.submit(("m-1", START + 1 * day, 100, 5)).ok
