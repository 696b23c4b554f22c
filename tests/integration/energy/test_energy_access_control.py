"""Every access-control refusal of the energy contract, role by function, through the client.

Each case is called as one role; the contract must refuse with ``access denied:`` (raised as
``AccessDenied``, still a ``GatewayError`` with the peers' details) and write nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from gridledger.energy import AccessDenied, EnergyClient, Offer, SignedReading
from gridledger.energy.participants import split_participant_id

from .conftest import Market, register_meter, tariff_v1

pytestmark = pytest.mark.integration

DAY = datetime(2025, 9, 1, tzinfo=UTC)
NEXT = DAY + timedelta(days=1)

NOT_UTILITY = ("producer", "consumer", "prosumer", "auditor", "stranger")
NOT_SELLER = ("consumer", "auditor", "utility", "stranger")
NOT_BUYER = ("producer", "auditor", "utility", "stranger")
# who may not read what belongs to the consumer (Bob): other participants, strangers
NOT_BOBS_READER = ("producer", "prosumer", "other consumer", "stranger")
ROLE_USERS = {
    "producer": "solar-farm",
    "consumer": "bob",
    "prosumer": "alice",
    "auditor": "auditor",
    "other consumer": "carol",
    "other producer": "wind-farm",
}


@dataclass
class Stage:
    market: Market
    solar_meter: str
    bob_meter: str
    offer: Offer
    reading: SignedReading

    def client(self, role: str) -> EnergyClient:
        if role == "utility":
            return self.market.utility
        if role == "stranger":
            return self.market.stranger
        return self.market[ROLE_USERS[role]]

    def offers_now(self) -> int:
        return len(self.market.utility.list_offers(DAY).all())


@pytest.fixture(scope="module")
def stage(market: Market) -> Stage:
    tag = uuid.uuid4().hex[:6]
    solar = register_meter(market, "solar-farm", f"AC-solar-{tag}", "production", "solar")
    bob = register_meter(market, "bob", f"AC-bob-{tag}", "consumption")
    offer = market["solar-farm"].post_offer(solar.meter_id, DAY, 4, 1000, 90_000)
    return Stage(market, solar.meter_id, bob.meter_id, offer, bob.sign(DAY, 1, 0))


Action = Callable[[Stage, EnergyClient], object]


def _register_participant(s: Stage, c: EnergyClient) -> object:
    pid = f"ProsumerMSP::/CN=newcomer-{uuid.uuid4().hex[:6]}"
    return c.register_participant(pid, "consumer", zone="north", display_name="Newcomer")


def _register_meter(s: Stage, c: EnergyClient) -> object:
    meter = f"AC-new-{uuid.uuid4().hex[:6]}"
    pem = s.market.utility.meter(s.bob_meter).public_key_pem
    return c.register_meter(meter, s.market.ids["bob"], "consumption", "grid", "north", pem)


def _set_tariff(s: Stage, c: EnergyClient) -> object:
    return c.set_tariff(tariff_v1())


UTILITY_ONLY: dict[str, Action] = {
    "RegisterParticipant": _register_participant,
    "RegisterMeter": _register_meter,
    "DeactivateMeter": lambda s, c: c.deactivate_meter(s.bob_meter),
    "SetTariff": _set_tariff,
    "Settle": lambda s, c: c.settle(s.market.ids["bob"], DAY, NEXT),
}
READS_OF_BOB: dict[str, Action] = {
    "GetParticipant": lambda s, c: c.participant(s.market.ids["bob"]),
    "GetMeter": lambda s, c: c.meter(s.bob_meter),
    "ListMeters": lambda s, c: c.meters(s.market.ids["bob"]).all(),
    "GetReadings": lambda s, c: c.readings(s.bob_meter, DAY, NEXT).all(),
    "ListTrades": lambda s, c: c.trades(s.market.ids["bob"]).all(),
    "ListCertificates": lambda s, c: c.certificates(s.market.ids["bob"]).all(),
    "PreviewBill": lambda s, c: c.preview_bill(s.market.ids["bob"], DAY, NEXT),
    "GetBill": lambda s, c: c.bill(s.market.ids["bob"], DAY, NEXT),
    "VerifyBill": lambda s, c: c.verify_bill(s.market.ids["bob"], DAY, NEXT),
}

CASES: list[tuple[str, str, Action]] = [
    *((name, role, act) for name, act in UTILITY_ONLY.items() for role in NOT_UTILITY),
    *(
        ("PostOffer", role, lambda s, c: c.post_offer(s.solar_meter, DAY, 1, 10, 1))
        for role in NOT_SELLER
    ),
    # a producer offering energy from another producer's meter
    ("PostOffer", "other producer", lambda s, c: c.post_offer(s.solar_meter, DAY, 1, 10, 1)),
    *(("Buy", role, lambda s, c: c.buy(s.offer.offer_id, 10)) for role in NOT_BUYER),
    *(
        ("WithdrawOffer", role, lambda s, c: c.withdraw_offer(s.offer.offer_id))
        for role in ("other producer", "consumer", "prosumer", "auditor", "utility", "stranger")
    ),
    *(
        ("SubmitReadings", role, lambda s, c: c.submit_readings([s.reading]))
        for role in ("producer", "prosumer", "other consumer", "auditor", "stranger")
    ),
    *(
        ("ListParticipants", role, lambda s, c: c.participants().all())
        for role in ("producer", "consumer", "prosumer", "stranger")
    ),
    *((name, role, act) for name, act in READS_OF_BOB.items() for role in NOT_BOBS_READER),
]


@pytest.mark.parametrize(
    ("function", "role", "action"),
    CASES,
    ids=[f"{function}-by-{role.replace(' ', '-')}" for function, role, _ in CASES],
)
def test_refused(stage: Stage, function: str, role: str, action: Action) -> None:
    offers_before = stage.offers_now()
    with pytest.raises(Exception) as raised:
        action(stage, stage.client(role))
    error = raised.value
    cause = getattr(error, "summary", None)  # bulk submission wraps the batch's refusal
    if cause is not None:
        error = cause.failures[0].error
    assert isinstance(error, AccessDenied), f"{function} by {role}: {error!r}"
    assert error.details, "the peers' answers are kept"
    # nothing was written
    assert stage.offers_now() == offers_before
    utility = stage.market.utility
    assert utility.meter(stage.bob_meter).active
    assert utility.readings(stage.bob_meter, DAY, NEXT).all() == []
    assert utility.offer(stage.offer.offer_id).remaining_wh == 1000
    assert utility.offer(stage.offer.offer_id).status.value == "open"


def test_every_refusal_in_the_matrix_is_distinct() -> None:
    assert len({(function, role) for function, role, _ in CASES}) == len(CASES)


def test_unregistered_callers_may_read_public_market_data(stage: Stage) -> None:
    stranger = stage.market.stranger
    me = stranger.whoami()
    assert not me.registered and me.role is None
    assert split_participant_id(me.participant_id)[0] == "ProsumerMSP"
    assert stage.offer.offer_id in {o.offer_id for o in stranger.list_offers(DAY)}
    assert stranger.offer(stage.offer.offer_id).seller == stage.market.ids["solar-farm"]
    assert [t.version for t in stranger.tariffs()][:1] == [1]


def test_owners_utility_and_auditor_may_read_what_others_may_not(stage: Stage) -> None:
    for role in ("consumer", "utility", "auditor"):
        client = stage.client(role)
        assert client.meter(stage.bob_meter).owner == stage.market.ids["bob"]
        assert client.participant(stage.market.ids["bob"]).role.value == "consumer"
    for role in ("utility", "auditor"):
        assert stage.market.ids["bob"] in {
            p.participant_id for p in stage.client(role).participants()
        }
    assert json.loads(json.dumps([m.meter_id for m in stage.client("consumer").meters()]))
