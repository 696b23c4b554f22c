"""Erasing a household's private meter data on the in-memory ledger: the descriptor listing and
its pages, ``EraseHousehold``'s purge and its refusals, ``PrivateDataHashes``."""

from __future__ import annotations

import json
from hashlib import sha256
from typing import Any

from gridledger_chaincode.energy.ledger.meter_data import household_collection
from gridledger_chaincode.testing import TransactionResult
from gridledger_domain import MeterReading, format_utc, sign
from gridledger_domain.erasure import MAX_ERASE_BATCH, erasure_request
from test_energy_contract import DAY, DAY0, NEXT_DAY, World, market_day, pid, world
from test_energy_day_closing import alice_readings, close

__all__ = ["world"]  # the fixture, used by name


def listing(
    w: World, participant: str, include_bills: bool = False, size: int = 100
) -> list[dict[str, Any]]:
    """Every page of ``ListHouseholdData``, each page checked for its bounds."""
    items: list[dict[str, Any]] = []
    bookmark = ""
    while True:
        flag = "true" if include_bills else "false"
        page = w.ok(w.utility, "ListHouseholdData", participant, flag, str(size), bookmark)
        assert page["count"] == len(page["items"]) <= max(size, 257)
        assert page["collection"] == household_collection(participant)
        items += page["items"]
        bookmark = page["bookmark"]
        if not bookmark:
            return items


def erase(
    w: World,
    participant: str,
    descriptors: list[dict[str, Any]],
    include_bills: bool = False,
    args: list[str] | None = None,
    who: Any = None,
) -> TransactionResult:
    sent, transient = erasure_request(participant, include_bills, descriptors)
    return w.ledger.invoke(
        w.chaincode,
        "energy:EraseHousehold",
        *(sent if args is None else args),
        identity=who or w.utility,
        transient=transient,
    )


def hashes(w: World, collection: str, keys: list[str]) -> list[str]:
    answer = w.ok(w.utility, "PrivateDataHashes", collection, json.dumps(keys))
    return [h["sha256"] for h in answer["hashes"]]


def settled_alice(w: World) -> str:
    market_day(w)
    alice = pid(w.alice)
    w.settle(alice, DAY, NEXT_DAY)
    return alice


def test_the_listing_describes_every_private_value_page_by_page(world: World) -> None:
    alice = settled_alice(world)
    everything = listing(world, alice, include_bills=True)
    described = {(d["kind"], d["subject"], d["at"]) for d in everything}
    assert len(described) == len(everything)
    assert described == {
        ("day", "M-ALICE", DAY),
        ("day", "M-ALICE", NEXT_DAY),
        ("days", "M-ALICE", "79"),  # day number 20240 // 256
        ("span", "M-ALICE", ""),
        ("statement", alice, DAY),
        ("bill", alice, f"{DAY}/{NEXT_DAY}"),
        ("salt", alice, ""),
    }
    assert everything[-1]["kind"] == "salt"
    # one descriptor a page gives the same, in the same order (a block's days stay together)
    assert listing(world, alice, include_bills=True, size=1) == everything
    without = listing(world, alice, size=2)
    assert [d for d in everything if d["kind"] not in ("bill", "salt")] == without
    # nothing of a value: the answer names kinds, subjects and instants only
    assert all(set(d) == {"kind", "subject", "at"} for d in everything)
    refused = world.call(world.utility, "ListHouseholdData", alice, "false", "10", "{nope")
    assert refused.message.startswith("invalid:") and "bookmark" in refused.message


def test_only_the_utility_lists_and_erases(world: World) -> None:
    alice = settled_alice(world)
    denied = world.call(world.alice, "ListHouseholdData", alice, "false")
    assert denied.message.startswith("access denied:")
    result = erase(world, alice, listing(world, alice), who=world.alice)
    assert result.message.startswith("access denied:")
    assert world.call(world.stranger, "PrivateDataHashes", "mdata_X", '["k"]').message.startswith(
        "access denied:"
    )


def test_erasure_purges_readings_and_statements_and_keeps_the_bill(world: World) -> None:
    alice = settled_alice(world)
    collection = household_collection(alice)
    descriptors = listing(world, alice)
    held_before = len(world.ledger.private[collection])
    answer = erase(world, alice, descriptors)
    assert answer.ok, answer.message
    erased = answer.json()
    assert erased["participant"] == alice and erased["collection"] == collection
    assert erased["erased"] == len(descriptors) == len(erased["keys"])
    assert hashes(world, collection, erased["keys"]) == [""] * len(descriptors)
    assert len(world.ledger.private[collection]) == held_before - len(descriptors)
    # the readings and the statement are gone; the bill stays (legal retention) and verifies
    page = world.ok(world.utility, "GetReadings", "M-ALICE", DAY, NEXT_DAY)
    assert page["items"] == []
    gone = world.call(world.alice, "GetDayStatement", alice, DAY)
    assert gone.message.startswith("not found:")
    bill = world.call(world.alice, "GetBill", alice, DAY, NEXT_DAY)
    assert bill.ok, bill.message
    assert listing(world, alice) == []
    # erasing the same again purges nothing
    again = erase(world, alice, descriptors)
    assert again.ok and again.json()["erased"] == 0
    # with bills: the bill, then the salt, last
    rest = listing(world, alice, include_bills=True)
    assert [d["kind"] for d in rest] == ["bill", "salt"]
    final = erase(world, alice, rest, include_bills=True)
    assert final.ok, final.message
    assert final.json()["keys"][-1] == f"energy.salt/{alice}"
    assert hashes(world, collection, final.json()["keys"]) == ["", ""]
    assert world.call(world.alice, "GetBill", alice, DAY, NEXT_DAY).message.startswith("not found:")
    # the bill's public commitment stays
    assert any("energy.bill" in key for key in world.ledger.state)


def test_erasure_refusals_write_nothing(world: World) -> None:
    alice = settled_alice(world)
    everything = listing(world, alice, include_bills=True)
    readings = [d for d in everything if d["kind"] not in ("bill", "salt")]
    before = {c: dict(space) for c, space in world.ledger.private.items()}
    sent, _ = erasure_request(alice, False, readings)
    cases = {
        "SHA-256": [*sent[:3], "0" * 64],
        "announce": [*sent[:2], str(len(readings) + 1), sent[3]],
    }
    for expected, args in cases.items():
        refused = erase(world, alice, readings, args=args)
        assert refused.message.startswith("invalid:") and expected in refused.message
    bill = [d for d in everything if d["kind"] == "bill"]
    assert "legal retention" in erase(world, alice, readings + bill).message
    salt_first = [everything[-1], *readings]
    assert "last" in erase(world, alice, salt_first, include_bills=True).message
    bob_meter = [{"kind": "span", "subject": "M-BOB", "at": ""}]
    assert "not " in erase(world, alice, bob_meter).message
    odd = [
        [{"kind": "readings", "subject": "M-ALICE", "at": DAY}],
        [{"kind": "day", "subject": "M-ALICE", "at": "2025-06-01T00:15:00Z"}],
        [{"kind": "day", "subject": "M-ALICE"}],
        [{"kind": "revision", "subject": alice, "at": DAY}],
        [{"kind": "span", "subject": "M-NOPE", "at": ""}],
    ]
    for descriptors in odd:
        assert erase(world, alice, descriptors).message.startswith("invalid:"), descriptors
    too_many = [readings[0]] * (MAX_ERASE_BATCH + 1)
    assert str(MAX_ERASE_BATCH) in erase(world, alice, too_many).message
    assert not erase(world, alice, []).ok
    assert {c: dict(space) for c, space in world.ledger.private.items()} == before


def test_private_data_hashes_answer_hashes_only(world: World) -> None:
    alice = settled_alice(world)
    collection = household_collection(alice)
    key = f"energy.salt/{alice}"
    (found,) = hashes(world, collection, [key])
    assert len(found) == 64
    assert hashes(world, collection, ["absent"]) == [""]
    for args in (("public", f'["{key}"]'), (collection, "[]"), (collection, "{")):
        assert world.call(world.utility, "PrivateDataHashes", *args).message.startswith("invalid:")


def revised_alice(w: World) -> str:
    """Alice's day closed with estimates, its actual readings come, the day is revised."""
    alice = pid(w.alice)
    everything = alice_readings(w, range(0, 2 * 96 + 1), evening=600)
    hole = set(range(66, 76))
    w.ok(w.utility, "SubmitReadings", [r for step, r in enumerate(everything) if step not in hole])
    close(w, DAY, [alice], estimate=True)
    w.ok(w.utility, "SubmitReadings", [everything[step] for step in sorted(hole)])
    assert w.ok(w.utility, "ReviseDay", alice, DAY)["status"] == "revised"
    return alice


def test_a_true_up_is_checked_against_its_commitment(world: World) -> None:
    alice = revised_alice(world)
    collection = household_collection(alice)
    commitment = next(
        json.loads(v) for k, v in world.ledger.state.items() if "energy.true_up\x00" in k
    )
    space = world.ledger.private[collection]
    (key,) = [k for k, v in space.items() if sha256(v).hexdigest() == commitment["sha256"]]
    space[key] = space[key].replace(b'"amount":', b'"amount":1')
    refused = world.call(world.utility, "Settle", alice, DAY, NEXT_DAY)  # carries the true-up
    assert refused.message.startswith("conflict:") and "true-up" in refused.message


def test_revisions_and_true_ups_are_listed_and_erased(world: World) -> None:
    alice = revised_alice(world)
    described = listing(world, alice)
    revisions = [(d["kind"], d["at"]) for d in described if d["subject"] == alice]
    assert revisions == [
        ("statement", DAY),
        ("revision", f"{DAY}/001"),
        ("true_up", f"{DAY}/001"),
    ]
    answer = erase(world, alice, described)
    assert answer.ok, answer.message
    assert answer.json()["erased"] == len(described)
    assert listing(world, alice) == []
    # the commitments and the unbilled marker stay public; the true-up itself is gone
    assert any("energy.true_up_unbilled" in key for key in world.ledger.state)


def test_pages_follow_a_meter_across_index_blocks(world: World) -> None:
    """Readings 300 days apart fall in two blocks of the day index: every page ends at a
    block's end, the span comes after the meter's last block."""
    alice = pid(world.alice)
    early = DAY0 - 300 * 86400
    readings = [
        sign(MeterReading("M-ALICE", at, 400 * n, 0), world.keys["M-ALICE"]).to_json_dict()
        for n, at in enumerate((early, early + 900, DAY0, DAY0 + 900))
    ]
    world.ok(world.utility, "SubmitReadings", readings)
    pages = []
    bookmark = ""
    while True:
        page = world.ok(world.utility, "ListHouseholdData", alice, "false", "1", bookmark)
        pages.append([(d["kind"], d["at"]) for d in page["items"]])
        bookmark = page["bookmark"]
        if not bookmark:
            break
    first_block, last_block = (early // 86400) // 256, (DAY0 // 86400) // 256
    assert first_block != last_block
    assert [p for p in pages if p] == [
        [("day", format_utc(early)), ("days", str(first_block))],
        [("day", format_utc(DAY0)), ("days", str(last_block))],
        [("span", "")],
    ]
