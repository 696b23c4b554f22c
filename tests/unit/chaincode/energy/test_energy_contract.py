"""The energy contract on the in-memory ledger: a market day, access control, refusals."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pytest
from gridledger_chaincode.contract import ContractRouter
from gridledger_chaincode.energy.contract import EnergyContract
from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.testing import InMemoryLedger, TransactionResult, make_identity
from gridledger_domain import (
    MeterKey,
    MeterReading,
    format_utc,
    parse_utc,
    sign,
    simulated_meter_key,
)
from harness.energy_ledger import as_sent

DAY = "2025-06-01T00:00:00Z"
NEXT_DAY = "2025-06-02T00:00:00Z"
DAY0 = 1748736000
Q = 900
TARIFF = {
    "version": 1,
    "effective_from": DAY,
    "bands": [
        {"name": "night", "start_minute": 0, "price": 200_000},
        {"name": "day", "start_minute": 420, "price": 300_000},
        {"name": "evening", "start_minute": 1080, "price": 400_000},
    ],
    "feed_in_price": 80_000,
    "grid_fee": 50_000,
    "fixed_fee_per_day": 25,
    "tax_rate_bp": 1900,
    "currency": "EUR",
}


def pid(identity: ClientIdentity) -> str:
    return f"{identity.msp_id}::{identity.subject}"


@dataclass
class World:
    ledger: InMemoryLedger
    chaincode: ContractRouter
    utility: ClientIdentity
    alice: ClientIdentity
    solarco: ClientIdentity
    bob: ClientIdentity
    auditor: ClientIdentity
    stranger: ClientIdentity
    keys: dict[str, MeterKey]

    def call(self, who: ClientIdentity, function: str, *args: Any) -> TransactionResult:
        encoded = [a if isinstance(a, str) else json.dumps(a) for a in args]
        sent, transient = as_sent(function, encoded)
        return self.ledger.invoke(
            self.chaincode, f"energy:{function}", *sent, identity=who, transient=transient
        )

    def ok(self, who: ClientIdentity, function: str, *args: Any) -> Any:
        result = self.call(who, function, *args)
        assert result.ok, result.message
        return result.json() if result.payload else None

    def settle(self, participant: str, start: str, end: str) -> Any:
        """Close each day of the period for the participant, then settle it (as the client's
        settle does)."""
        for day in range(parse_utc(start), parse_utc(end), 86_400):
            closing = self.ok(self.utility, "CloseDays", format_utc(day), [participant], False)
            result = closing["results"][0]
            assert result["status"] in ("closed", "already_closed"), result
        committed = self.ok(self.utility, "Settle", participant, start, end)
        bill = self.call(self.utility, "GetBill", participant, start, end)
        assert hashlib.sha256(bill.payload).hexdigest() == committed["sha256"]
        return bill.json()

    def items(self, who: ClientIdentity, function: str, *args: Any) -> list[Any]:
        """The items of a listing that fits in one page."""
        page = self.ok(who, function, *args)
        assert page["bookmark"] == "" and page["count"] == len(page["items"])
        items: list[Any] = page["items"]
        return items

    def readings(
        self, meter_id: str, imports: list[int], exports: list[int]
    ) -> list[dict[str, Any]]:
        out = []
        imported = exported = 0
        for step in range(len(imports) + 1):
            if step:
                imported += imports[step - 1]
                exported += exports[step - 1]
            reading = MeterReading(meter_id, DAY0 + step * Q, imported, exported)
            out.append(sign(reading, self.keys[meter_id]).to_json_dict())
        return out


@pytest.fixture
def world() -> World:
    ledger = InMemoryLedger()
    w = World(
        ledger=ledger,
        chaincode=ContractRouter([EnergyContract()]),
        utility=make_identity("GridOperatorMSP", "Admin@gridoperator.gridledger.local", ou="admin"),
        alice=make_identity("ProsumerMSP", "alice"),
        solarco=make_identity("ProsumerMSP", "solarco"),
        bob=make_identity("ProsumerMSP", "bob"),
        auditor=make_identity("GridOperatorMSP", "auditor"),
        stranger=make_identity("ProsumerMSP", "stranger"),
        keys={m: simulated_meter_key(m) for m in ("M-ALICE", "M-SOLAR", "M-BOB")},
    )
    for who, role, name in [
        (w.alice, "consumer", "Alice"),
        (w.solarco, "producer", "SolarCo"),
        (w.bob, "prosumer", "Bob"),
        (w.auditor, "auditor", "Regulator"),
    ]:
        w.ok(w.utility, "RegisterParticipant", who.msp_id, who.subject, role, "north", name)
    for meter_id, owner, kind, source in [
        ("M-ALICE", w.alice, "consumption", "grid"),
        ("M-SOLAR", w.solarco, "production", "solar"),
        ("M-BOB", w.bob, "bidirectional", "solar"),
    ]:
        w.ok(
            w.utility,
            "RegisterMeter",
            meter_id,
            pid(owner),
            kind,
            source,
            "north",
            w.keys[meter_id].public_key_pem(),
        )
    w.ok(w.utility, "SetTariff", TARIFF)
    return w


def solar_profile() -> list[int]:
    return (
        [0] * 28
        + [500 + 100 * i for i in range(20)]
        + [2500 - 100 * i for i in range(20)]
        + [0] * 28
    )


def market_day(w: World) -> dict[str, Any]:
    """SolarCo sells 10:00-12:00, Alice buys part of it, all meters report the whole day."""
    offer = w.ok(w.solarco, "PostOffer", "M-SOLAR", "2025-06-01T10:00:00Z", "8", "2000", "120000")
    trades = w.ok(w.alice, "Buy", offer["offer_id"], "1500")
    batch = (
        w.readings("M-ALICE", [400] * 96, [0] * 96)
        + w.readings("M-SOLAR", [5] * 96, solar_profile())
        + w.readings("M-BOB", [300] * 96, [p // 4 for p in solar_profile()])
    )
    summary = w.ok(w.utility, "SubmitReadings", batch)
    return {"offer": offer, "trades": trades, "summary": summary}


def test_a_market_day_settles_verifies_and_is_idempotent(world: World) -> None:
    day = market_day(world)
    assert day["summary"]["stored"] == 3 * 97
    assert len(day["trades"]) == 8
    assert day["summary"]["certificates_issued"] > 0
    alice = pid(world.alice)
    bill = world.settle(alice, DAY, NEXT_DAY)
    assert bill["status"] == "complete"
    kinds = {line["kind"] for line in bill["lines"]}
    assert {"trade_purchase", "utility_energy", "grid_fee", "fixed_fee", "tax"} <= kinds
    purchase = next(line for line in bill["lines"] if line["kind"] == "trade_purchase")
    assert (purchase["quantity"], purchase["covered_wh"]) == (12_000, 3200)  # 8 x 400 consumed
    matching = bill["certificate_matching"]["total"]
    assert matching["matched_wh"] == 3200 and matching["consumed_wh"] == 96 * 400
    assert len(bill["certificate_matching"]["hours"]) == 24
    # settling again answers the same commitment and writes nothing new; the bill is private
    before = dict(world.ledger.state)
    again = world.call(world.utility, "Settle", alice, DAY, NEXT_DAY)
    text = json.dumps(bill, sort_keys=True, separators=(",", ":")).encode()
    assert again.ok and again.json() == {
        "bill_id": bill["bill_id"],
        "participant": alice,
        "period_start": DAY,
        "period_end": NEXT_DAY,
        "sha256": hashlib.sha256(text).hexdigest(),
    }
    assert world.ledger.state == before
    assert not any(text in value for value in world.ledger.state.values())
    assert text in world.ledger.private["mdata_ProsumerMSP"].values()
    verdict = world.ok(world.alice, "VerifyBill", alice, DAY, NEXT_DAY)
    assert verdict["matches"] is True
    # the claimed certificates are retired against the bill
    certs = world.items(world.alice, "ListCertificates", alice)
    assert certs and all(
        c["status"] == "retired" and c["bill_id"] == bill["bill_id"] for c in certs
    )
    # producers are settled symmetrically
    solar_bill = world.settle(pid(world.solarco), DAY, NEXT_DAY)
    sale = next(line for line in solar_bill["lines"] if line["kind"] == "trade_sale")
    assert (sale["quantity"], sale["amount"]) == (12_000, -144)
    assert world.ok(world.auditor, "VerifyBill", pid(world.solarco), DAY, NEXT_DAY)["matches"]


@pytest.mark.parametrize(
    ("object_type", "field"),
    [
        ("energy.reading", "import_wh"),
        ("energy.reading", "export_wh"),
        ("energy.trade", "quantity_wh"),
        ("energy.trade", "price"),
    ],
)
def test_verify_bill_detects_a_changed_reading_or_trade(
    world: World, object_type: str, field: str
) -> None:
    market_day(world)
    alice = pid(world.alice)
    world.settle(alice, DAY, NEXT_DAY)
    assert world.ok(world.auditor, "VerifyBill", alice, DAY, NEXT_DAY)["matches"]
    if object_type == "energy.reading":  # in alice's day record, in her collection
        space = world.ledger.private["mdata_ProsumerMSP"]
        key = next(k for k, v in space.items() if b"M-ALICE" in v and b"T10:00" in v)
        day_record = json.loads(space[key])
        reading = next(r for r in day_record if r["interval_start"].endswith("T10:00:00Z"))
        reading[field] += 1
        space[key] = json.dumps(day_record).encode()
    else:
        key = next(
            k
            for k, v in world.ledger.state.items()
            if k.startswith(f"\x00{object_type}\x00")
            and json.loads(v).get("buyer") == alice
            and "T10:00" in json.dumps(json.loads(v))
        )
        record = json.loads(world.ledger.state[key])
        record[field] += 1
        world.ledger.state[key] = json.dumps(record).encode()
    verdict = world.ok(world.auditor, "VerifyDayStatement", alice, DAY)
    assert verdict["matches"] is False
    assert verdict["stored_inputs_hash"] != verdict["recomputed_inputs_hash"]
    # the bill itself still adds up its (stored) statements
    assert world.ok(world.auditor, "VerifyBill", alice, DAY, NEXT_DAY)["matches"]


def test_missing_readings_refuse_settlement_and_preview_lists_them(world: World) -> None:
    batch = world.readings("M-ALICE", [400] * 96, [0] * 96)
    del batch[50]
    world.ok(world.utility, "SubmitReadings", batch)
    alice = pid(world.alice)
    closing = world.ok(world.utility, "CloseDays", DAY, [alice], False)["results"][0]
    assert (closing["status"], closing["missing"]) == ("waiting", 1)
    assert closing["detail"] == "1 readings missing, first at 2025-06-01T12:30:00Z"
    refused = world.call(world.utility, "Settle", alice, DAY, NEXT_DAY)
    assert not refused.ok
    assert refused.message.startswith("incomplete:") and "1 days not closed" in refused.message
    preview = world.ok(world.alice, "PreviewBill", alice, DAY, NEXT_DAY)
    assert preview["status"] == "incomplete"
    assert preview["unsettled_intervals"] == ["2025-06-01T12:15:00Z", "2025-06-01T12:30:00Z"]
    assert not world.call(world.alice, "GetBill", alice, DAY, NEXT_DAY).ok


def test_forged_and_conflicting_readings_are_refused_and_nothing_is_written(world: World) -> None:
    good = world.readings("M-ALICE", [100, 100], [0, 0])
    forged = dict(good[1])
    forged["import_wh"] += 50  # signature no longer matches
    before = dict(world.ledger.state)
    result = world.call(world.utility, "SubmitReadings", [good[0], forged])
    assert (
        not result.ok
        and result.message.startswith("invalid:")
        and "does not verify" in result.message
    )
    assert world.ledger.state == before
    other_key = simulated_meter_key("not the meter")
    impostor = sign(MeterReading("M-ALICE", DAY0, 0, 0), other_key).to_json_dict()
    assert "does not verify" in world.call(world.utility, "SubmitReadings", [impostor]).message
    assert world.ok(world.utility, "SubmitReadings", good)["stored"] == 3
    assert world.ok(world.utility, "SubmitReadings", good) == {
        "certificates_issued": 0,
        "duplicates": 3,
        "stored": 0,
        "submitted": 3,
    }
    conflicting = sign(
        MeterReading("M-ALICE", DAY0 + Q, 101, 0), world.keys["M-ALICE"]
    ).to_json_dict()
    assert world.call(world.utility, "SubmitReadings", [conflicting]).message.startswith(
        "conflict:"
    )
    backwards = sign(
        MeterReading("M-ALICE", DAY0 + 3 * Q, 150, 0), world.keys["M-ALICE"]
    ).to_json_dict()
    assert "going backwards" in world.call(world.utility, "SubmitReadings", [backwards]).message
    unknown = sign(MeterReading("M-NOPE", DAY0, 0, 0), world.keys["M-ALICE"]).to_json_dict()
    assert world.call(world.utility, "SubmitReadings", [unknown]).message.startswith("not found:")
    world.ok(world.utility, "DeactivateMeter", "M-ALICE")
    late = sign(MeterReading("M-ALICE", DAY0 + 3 * Q, 300, 0), world.keys["M-ALICE"]).to_json_dict()
    assert "inactive" in world.call(world.utility, "SubmitReadings", [late]).message
    unaligned = dict(good[0], interval_start="2025-06-01T00:05:00Z")
    assert "aligned" in world.call(world.utility, "SubmitReadings", [unaligned]).message


def test_market_listing_buying_and_withdrawing(world: World) -> None:
    cheap = world.ok(
        world.solarco, "PostOffer", "M-SOLAR", "2025-06-01T10:00:00Z", "4", "1000", "90000"
    )
    dear = world.ok(world.bob, "PostOffer", "M-BOB", "2025-06-01T10:00:00Z", "4", "1000", "150000")
    listed = world.items(world.stranger, "ListOffers", "2025-06-01T10:15:00Z", "", "")
    assert [o["offer_id"] for o in listed] == [cheap["offer_id"], dear["offer_id"]]
    assert world.items(world.stranger, "ListOffers", "2025-06-01T11:00:00Z", "", "") == []
    assert world.items(world.stranger, "ListOffers", "2025-06-01T10:15:00Z", "wind", "") == []
    world.ok(world.alice, "Buy", cheap["offer_id"], "1000")
    assert world.call(world.alice, "Buy", cheap["offer_id"], "1").message.startswith("conflict:")
    world.ok(world.bob, "WithdrawOffer", dear["offer_id"])
    assert "withdrawn" in world.call(world.alice, "Buy", dear["offer_id"], "1").message
    assert world.items(world.stranger, "ListOffers", "2025-06-01T10:15:00Z", "", "") == []
    trades = world.items(world.alice, "ListTrades", pid(world.alice))
    assert len(trades) == 4 and {t["seller"] for t in trades} == {pid(world.solarco)}
    assert len(world.items(world.solarco, "ListTrades", pid(world.solarco))) == 4


def test_certificates_follow_trades_whichever_comes_first(world: World) -> None:
    # production metered before the trade exists: the trade picks up the certificate on Buy
    world.ok(
        world.utility,
        "SubmitReadings",
        world.readings("M-SOLAR", [0] * 96, [0] * 40 + [800] + [0] * 55),
    )
    certs = world.items(world.solarco, "ListCertificates", pid(world.solarco))
    assert [(c["interval_start"], c["wh"], c["status"]) for c in certs] == [
        ("2025-06-01T10:00:00Z", 800, "active")
    ]
    offer = world.ok(
        world.solarco, "PostOffer", "M-SOLAR", "2025-06-01T10:00:00Z", "1", "1000", "100000"
    )
    world.ok(world.alice, "Buy", offer["offer_id"], "600")
    alice_certs = world.items(world.alice, "ListCertificates", pid(world.alice))
    assert [(c["wh"], c["owner"]) for c in alice_certs] == [(600, pid(world.alice))]
    world.ok(world.bob, "Buy", offer["offer_id"], "400")
    bob_certs = world.items(world.bob, "ListCertificates", pid(world.bob))
    assert [c["wh"] for c in bob_certs] == [200]
    parent = world.items(world.solarco, "ListCertificates", pid(world.solarco))
    assert [(c["transferred_wh"], c["status"]) for c in parent] == [(800, "transferred")]


def test_tariffs_are_versioned_and_cannot_rewrite_settled_days(world: World) -> None:
    assert "must be 2" in world.call(world.utility, "SetTariff", TARIFF).message
    world.ok(world.utility, "SubmitReadings", world.readings("M-ALICE", [1] * 96, [0] * 96))
    world.settle(pid(world.alice), DAY, NEXT_DAY)
    retro = dict(TARIFF, version=2, effective_from="2025-06-01T00:00:00Z")
    assert "after" in world.call(world.utility, "SetTariff", retro).message
    same_day = dict(TARIFF, version=2, effective_from=NEXT_DAY)
    world.ok(world.utility, "SetTariff", same_day)
    assert [t["version"] for t in world.items(world.stranger, "ListTariffs")] == [1, 2]


def test_periods_are_settled_in_order(world: World) -> None:
    world.ok(world.utility, "SubmitReadings", world.readings("M-ALICE", [1] * 192, [0] * 192))
    alice = pid(world.alice)
    world.settle(alice, NEXT_DAY, "2025-06-03T00:00:00Z")
    late = world.call(world.utility, "Settle", alice, DAY, NEXT_DAY)
    assert late.message.startswith("conflict:") and "in order" in late.message


def test_who_am_i(world: World) -> None:
    assert world.ok(world.alice, "WhoAmI")["role"] == "consumer"
    assert world.ok(world.utility, "WhoAmI")["role"] == "utility"
    assert world.ok(world.stranger, "WhoAmI") == {
        "msp_id": "ProsumerMSP",
        "participant_id": pid(world.stranger),
        "registered": False,
        "role": None,
    }


def test_utility_attribute_counts_only_inside_the_utility_msp(world: World) -> None:
    attributed = make_identity(
        "GridOperatorMSP", "utility", attributes={"gridledger.role": "utility"}
    )
    assert world.ok(attributed, "WhoAmI")["role"] == "utility"
    outsider = make_identity("ProsumerMSP", "evil", attributes={"gridledger.role": "utility"})
    refused = world.call(
        outsider, "RegisterParticipant", "ProsumerMSP", "/CN=x", "consumer", "north", "X"
    )
    assert refused.message.startswith("access denied:")
    plain_member = make_identity("GridOperatorMSP", "User1")
    assert world.ok(plain_member, "WhoAmI")["role"] is None


def _access_matrix() -> list[tuple[str, str, list[Any]]]:
    period = ["{alice}", DAY, NEXT_DAY]
    return [
        ("alice", "RegisterParticipant", ["ProsumerMSP", "/CN=z", "consumer", "north", "Z"]),
        ("auditor", "RegisterParticipant", ["ProsumerMSP", "/CN=z", "consumer", "north", "Z"]),
        ("solarco", "RegisterMeter", ["M-X", "{solarco}", "production", "solar", "north", "{pem}"]),
        ("alice", "DeactivateMeter", ["M-ALICE"]),
        ("alice", "SetTariff", [dict(TARIFF, version=2, effective_from=NEXT_DAY)]),
        ("alice", "Settle", period),
        ("auditor", "Settle", period),
        ("alice", "PostOffer", ["M-ALICE", "2025-06-01T10:00:00Z", "1", "10", "1"]),
        ("bob", "PostOffer", ["M-SOLAR", "2025-06-01T10:00:00Z", "1", "10", "1"]),
        ("stranger", "PostOffer", ["M-SOLAR", "2025-06-01T10:00:00Z", "1", "10", "1"]),
        ("solarco", "Buy", ["{offer}", "10"]),
        ("auditor", "Buy", ["{offer}", "10"]),
        ("stranger", "Buy", ["{offer}", "10"]),
        ("alice", "WithdrawOffer", ["{offer}"]),
        ("bob", "GetBill", period),
        ("bob", "VerifyBill", period),
        ("bob", "PreviewBill", period),
        ("stranger", "GetMeter", ["M-ALICE"]),
        ("bob", "GetReadings", ["M-ALICE", DAY, NEXT_DAY]),
        ("bob", "ListTrades", ["{alice}"]),
        ("bob", "ListCertificates", ["{alice}"]),
        ("alice", "ListParticipants", []),
        ("bob", "GetParticipant", ["{alice}"]),
        ("bob", "SubmitReadings", ["{alice_readings}"]),
        ("stranger", "SubmitReadings", ["{alice_readings}"]),
    ]


@pytest.mark.parametrize(("who", "function", "args"), _access_matrix())
def test_access_control_refusals_write_nothing(
    world: World, who: str, function: str, args: list[Any]
) -> None:
    offer = world.ok(world.solarco, "PostOffer", "M-SOLAR", "2025-06-01T10:00:00Z", "1", "100", "1")
    world.ok(world.utility, "SubmitReadings", world.readings("M-ALICE", [1] * 96, [0] * 96))
    world.settle(pid(world.alice), DAY, NEXT_DAY)
    values = {
        "{alice}": pid(world.alice),
        "{solarco}": pid(world.solarco),
        "{offer}": offer["offer_id"],
        "{pem}": world.keys["M-SOLAR"].public_key_pem(),
    }
    resolved: list[Any] = []
    for arg in args:
        if arg == "{alice_readings}":
            resolved.append(
                [
                    sign(
                        MeterReading("M-ALICE", DAY0 + 200 * Q, 10_000, 0), world.keys["M-ALICE"]
                    ).to_json_dict()
                ]
            )
        else:
            resolved.append(values.get(arg, arg) if isinstance(arg, str) else arg)
    before = dict(world.ledger.state)
    result = world.call(getattr(world, who), function, *resolved)
    assert not result.ok
    assert result.message.startswith("access denied:"), result.message
    assert world.ledger.state == before


def test_readers_can_read_what_they_may(world: World) -> None:
    market_day(world)
    alice = pid(world.alice)
    world.settle(alice, DAY, NEXT_DAY)
    for reader in (world.alice, world.auditor, world.utility):
        assert world.ok(reader, "GetBill", alice, DAY, NEXT_DAY)["participant"] == alice
        assert len(world.items(reader, "GetReadings", "M-ALICE", DAY, NEXT_DAY)) == 97
        assert world.ok(reader, "GetMeter", "M-ALICE")["owner"] == alice
    assert world.items(world.auditor, "ListParticipants")
    assert format_utc(DAY0) == DAY


# -- readings cannot change a settled bill (found running the client on the devnet: a meter
# whose readings arrived after its owner's day was settled made VerifyBill fail) -------------
def _settled_day_and_a_new_meter(w: World, meter_id: str) -> str:
    market_day(w)
    alice = pid(w.alice)
    w.settle(alice, DAY, NEXT_DAY)
    w.keys[meter_id] = simulated_meter_key(meter_id)
    pem = w.keys[meter_id].public_key_pem()
    w.ok(w.utility, "RegisterMeter", meter_id, alice, "consumption", "grid", "north", pem)
    return alice


def test_readings_inside_a_settled_period_are_refused(world: World) -> None:
    alice = _settled_day_and_a_new_meter(world, "M-LATE")
    late = world.readings("M-LATE", [100] * 96, [0] * 96)
    before = dict(world.ledger.state)
    refused = world.call(world.utility, "SubmitReadings", late)
    assert not refused.ok and refused.message.startswith("conflict: reading M-LATE at")
    assert "already closed" in refused.message
    assert world.ledger.state == before
    # identical resubmissions of the settled day stay no-ops
    again = world.readings("M-ALICE", [400] * 96, [0] * 96)
    assert world.ok(world.utility, "SubmitReadings", again)["duplicates"] == 97
    assert world.ok(world.alice, "VerifyBill", alice, DAY, NEXT_DAY)["matches"] is True


def test_a_meter_starting_at_the_end_of_a_settled_period_leaves_that_bill_alone(
    world: World,
) -> None:
    alice = _settled_day_and_a_new_meter(world, "M-NEXT")
    opening = sign(MeterReading("M-NEXT", parse_utc(NEXT_DAY), 0, 0), world.keys["M-NEXT"])
    assert world.ok(world.utility, "SubmitReadings", [opening.to_json_dict()])["stored"] == 1
    assert world.ok(world.alice, "VerifyBill", alice, DAY, NEXT_DAY)["matches"] is True
