"""Auditing a household's private meter data (issue 20 item 2): ``AuditMeterData`` on a member's
peer, ``PrivateDataHashes`` on any peer."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from gridledger_chaincode.energy.ledger.audit import MAX_AUDIT_PAGE
from gridledger_chaincode.testing import make_identity
from gridledger_domain.erasure import MAX_HASHED_KEYS
from test_energy_contract import DAY, NEXT_DAY, World, market_day, pid, world

__all__ = ["world"]

COLLECTION = "mdata_ProsumerMSP"


def _audit(w: World, who: object, participant: str, *args: str) -> list[dict[str, object]]:
    """Every record of the audit, page after page."""
    found: list[dict[str, object]] = []
    bookmark = ""
    while True:
        page = w.ok(who, "AuditMeterData", participant, *args, "", bookmark)  # type: ignore[arg-type]
        found.extend(page["items"])
        bookmark = page["bookmark"]
        if not bookmark:
            return found


def test_the_auditor_reads_day_records_statements_and_bills_that_match_the_hashes(
    world: World,
) -> None:
    market_day(world)
    alice = pid(world.alice)
    bill = world.settle(alice, DAY, NEXT_DAY)
    records = _audit(world, world.auditor, alice, DAY, NEXT_DAY)
    assert [(r["kind"], r["subject"], r["at"]) for r in records] == [
        ("day", "M-ALICE", DAY),
        ("statement", alice, DAY),
        ("bill", alice, f"{DAY}/{NEXT_DAY}"),
        ("day", "M-ALICE", NEXT_DAY),  # the next day's midnight reading
    ]
    space = world.ledger.private[COLLECTION]
    for record in records:
        assert record["collection"] == COLLECTION and record["encoding"] == "text"
        assert space[str(record["key"])] == str(record["value"]).encode()
    assert json.loads(str(records[2]["value"]))["bill_id"] == bill["bill_id"]
    assert len(json.loads(str(records[0]["value"]))) == 96  # 00:00 .. 23:45
    # the household itself and the utility get the same; the hashes match every value
    assert _audit(world, world.alice, alice, DAY, NEXT_DAY) == records
    assert _audit(world, world.utility, alice, DAY, NEXT_DAY) == records
    keys = json.dumps([r["key"] for r in records] + ["no-such-key"])
    hashes = world.ok(world.bob, "PrivateDataHashes", COLLECTION, keys)
    assert hashes["collection"] == COLLECTION
    assert hashes["hashes"] == [
        *(
            {"key": r["key"], "sha256": hashlib.sha256(str(r["value"]).encode()).hexdigest()}
            for r in records
        ),
        {"key": "no-such-key", "sha256": ""},
    ]


def test_pages_are_bounded_and_follow_each_other(world: World) -> None:
    market_day(world)
    alice = pid(world.alice)
    world.settle(alice, DAY, NEXT_DAY)
    whole = _audit(world, world.auditor, alice, DAY, NEXT_DAY)
    pages = []
    bookmark = ""
    while True:
        page = world.ok(world.auditor, "AuditMeterData", alice, DAY, NEXT_DAY, "1", bookmark)
        assert page["count"] <= 1
        pages.extend(page["items"])
        bookmark = page["bookmark"]
        if not bookmark:
            break
    assert pages == whole
    # a page never reads more than MAX_AUDIT_PAGE private values, whatever size is asked
    key = world.keys["M-ALICE"].public_key_pem()
    world.ok(
        world.utility, "RegisterMeter", "M-ALICE-2", alice, "consumption", "grid", "north", key
    )
    last = "2025-07-01T00:00:00Z"
    big = world.ok(world.auditor, "AuditMeterData", alice, DAY, last, "1000", "")
    assert big["bookmark"] == str(MAX_AUDIT_PAGE)


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (DAY, "2025-07-02T00:00:00Z", "invalid: the last day must be 0 to 30 days after"),
        (NEXT_DAY, DAY, "invalid: the last day must be 0 to 30 days after"),
        ("2025-06-01T00:15:00Z", NEXT_DAY, "invalid: first day must be a UTC midnight"),
        ("yesterday", NEXT_DAY, "invalid: first day:"),
    ],
)
def test_day_ranges_are_checked(world: World, first: str, last: str, message: str) -> None:
    answer = world.call(world.auditor, "AuditMeterData", pid(world.alice), first, last)
    assert not answer.ok and answer.message.startswith(message), answer.message


def test_bookmarks_and_participants_are_checked(world: World) -> None:
    alice = pid(world.alice)
    answer = world.call(world.auditor, "AuditMeterData", alice, DAY, DAY, "", "x")
    assert answer.message == "invalid: not a bookmark of this listing: 'x'"
    answer = world.call(world.auditor, "AuditMeterData", alice, DAY, DAY, "", "99")
    assert answer.message == "invalid: not a bookmark of this listing: '99'"
    answer = world.call(world.auditor, "AuditMeterData", "ProsumerMSP::nobody", DAY, DAY)
    assert answer.message == "not found: unknown participant ProsumerMSP::nobody"


def test_other_participants_and_strangers_are_refused(world: World) -> None:
    market_day(world)
    alice = pid(world.alice)
    for who in (world.bob, world.solarco, world.stranger):
        answer = world.call(who, "AuditMeterData", alice, DAY, NEXT_DAY)
        assert answer.message == (
            f"access denied: caller {pid(who)} may not read the meter data of {alice}"
        )


def test_private_data_hashes_need_a_registered_caller_and_a_bounded_key_list(
    world: World,
) -> None:
    keys = json.dumps(["k"])
    answer = world.call(world.stranger, "PrivateDataHashes", COLLECTION, keys)
    assert answer.message == f"access denied: caller {pid(world.stranger)} is not registered"
    hashes = world.ok(world.utility, "PrivateDataHashes", COLLECTION, keys)["hashes"]
    assert hashes == [{"key": "k", "sha256": ""}]
    for bad, message in [
        ("k", "invalid: keys must be a JSON array of strings"),
        ('{"k": 1}', "invalid: keys must be a JSON array of non-empty strings"),
        ('[""]', "invalid: keys must be a JSON array of non-empty strings"),
        ("[]", f"invalid: 1 to {MAX_HASHED_KEYS} keys at a time, got 0"),
        (json.dumps([str(i) for i in range(MAX_HASHED_KEYS + 1)]), "invalid: 1 to"),
    ]:
        answer = world.call(world.bob, "PrivateDataHashes", COLLECTION, bad)
        assert answer.message.startswith(message), answer.message
    answer = world.call(world.bob, "PrivateDataHashes", "operatorPrivate", keys)
    assert answer.message == "invalid: not a meter-data collection: 'operatorPrivate'"


def test_a_value_that_is_not_text_is_answered_in_base64(world: World) -> None:
    market_day(world)
    alice = pid(world.alice)
    space = world.ledger.private[COLLECTION]
    record = _audit(world, world.auditor, alice, DAY, DAY)[0]
    space[str(record["key"])] = b"\xff\xfe"
    (changed,) = _audit(world, world.auditor, alice, DAY, DAY)
    assert (changed["encoding"], changed["value"]) == (
        "base64",
        base64.b64encode(b"\xff\xfe").decode(),
    )


def test_an_auditor_of_another_organisation_reads_too(world: World) -> None:
    """The auditor's organisation need not be the household's or the utility's."""
    regulator = make_identity("RegulatorMSP", "regulator")
    world.ok(
        world.utility,
        "RegisterParticipant",
        "RegulatorMSP",
        regulator.subject,
        "auditor",
        "north",
        "R",
    )
    market_day(world)
    alice = pid(world.alice)
    assert _audit(world, regulator, alice, DAY, DAY) == _audit(
        world, world.auditor, alice, DAY, DAY
    )
