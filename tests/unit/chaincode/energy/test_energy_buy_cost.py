"""What one Buy of a 7-day offer (672 intervals) reads, on the in-memory ledger: bounded by the
offer's intervals and the certificates it draws on, whatever the seller's meters and history.

The bound, for an offer of N intervals whose every interval is covered by its first meter's
certificate (a seller with M renewable meters holding certificates for these N intervals and for
as many intervals before them):

- keys read one by one or batched (``get_state``/``get_multiple_states``) <= FIXED_READS + N:
  the caller, the offer, both parties' settled-through marks, one certificate per trade;
- range queries, all of the certificate supply index: one per day (DAYS); rows read: each day's
  entries meter by meter only until the day's trades are covered, here 96 a day (the first
  meter's). None over trades' backing or the seller's past certificates.

The version before ``certificate_supply`` read one certificate per meter per interval (M x N) and
scanned each trade's backing (another N range queries).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from gridledger_chaincode.contract import ContractRouter
from gridledger_chaincode.energy.contract import EnergyContract
from gridledger_chaincode.energy.ledger import certificate_supply
from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.testing import InMemoryLedger, InMemoryStub, make_identity
from gridledger_domain import MeterKey, MeterReading, format_utc, sign, simulated_meter_key
from harness.energy_ledger import as_sent

WEEK0 = 1748736000  # 2025-06-01T00:00:00Z
Q = 900
N = 672
DAYS = 7
FIXED_READS = 8
CLOSED_DAY_READS = 2 * (DAYS + 1)
"""Is each day of the offer closed, for the buyer and for the seller (plus their bills)."""


@dataclass
class Reads:
    keys: int = 0
    ranges: int = 0
    rows: int = 0
    range_keys: list[str] = field(default_factory=list)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    """Count what every transaction on an in-memory ledger reads (rows as they are iterated)."""
    counted = Reads()
    get_state, range_ = InMemoryStub.get_state, InMemoryStub._range

    def one(self: InMemoryStub, key: str) -> bytes:
        counted.keys += 1
        return get_state(self, key)

    def many(self: InMemoryStub, keys: Sequence[str]) -> list[bytes]:
        counted.keys += len(keys)
        return [get_state(self, k) for k in keys]

    def ranged(self: InMemoryStub, collection: str, start: str, end: str, *rest: Any) -> Any:
        counted.ranges += 1
        counted.range_keys.append(start)
        iterator, meta = range_(self, collection, start, end, *rest)

        class Counting:
            def __iter__(self) -> Iterator[Any]:
                for kv in iterator:
                    counted.rows += 1
                    yield kv

            def close(self) -> None:
                iterator.close()

        return Counting(), meta

    monkeypatch.setattr(InMemoryStub, "get_state", one)
    monkeypatch.setattr(InMemoryStub, "get_multiple_states", many)
    monkeypatch.setattr(InMemoryStub, "_range", ranged)
    return counted


@dataclass
class Market:
    ledger: InMemoryLedger
    chaincode: ContractRouter
    utility: ClientIdentity
    seller: ClientIdentity
    buyers: list[ClientIdentity]
    keys: dict[str, MeterKey] = field(default_factory=dict)

    def ok(self, who: ClientIdentity, function: str, *args: Any) -> Any:
        encoded = [a if isinstance(a, str) else json.dumps(a) for a in args]
        sent, transient = as_sent(function, encoded)
        result = self.ledger.invoke(
            self.chaincode, f"energy:{function}", *sent, identity=who, transient=transient
        )
        assert result.ok, result.message
        return result.json() if result.payload else None

    def renewable_meter(self, meter_id: str) -> None:
        self.keys[meter_id] = key = simulated_meter_key(meter_id)
        self.ok(
            self.utility,
            "RegisterMeter",
            meter_id,
            pid(self.seller),
            "production",
            "solar",
            "north",
            key.public_key_pem(),
        )

    def export(self, meter_id: str, start: int, wh_per_interval: list[int]) -> None:
        """Readings of ``meter_id`` exporting the given Wh in consecutive intervals."""
        exported, batch = 0, []
        for step in range(len(wh_per_interval) + 1):
            reading = MeterReading(meter_id, start + step * Q, 0, exported)
            batch.append(sign(reading, self.keys[meter_id]).to_json_dict())
            if step < len(wh_per_interval):
                exported += wh_per_interval[step]
        self.ok(self.utility, "SubmitReadings", batch)

    def offer(self, meter_id: str, start: int, count: int, wh: int) -> str:
        posted = self.ok(
            self.seller, "PostOffer", meter_id, format_utc(start), str(count), str(wh), "95000"
        )
        return str(posted["offer_id"])

    def certificates(self, who: ClientIdentity) -> list[dict[str, Any]]:
        """Every certificate ``who`` holds, page by page (at most 1,000 a page)."""
        found: list[dict[str, Any]] = []
        bookmark = ""
        while True:
            page = self.ok(who, "ListCertificates", pid(who), "1000", bookmark)
            found.extend(page["items"])
            bookmark = page["bookmark"]
            if not bookmark:
                return found


def pid(identity: ClientIdentity) -> str:
    return f"{identity.msp_id}::{identity.subject}"


@pytest.fixture
def market() -> Market:
    m = Market(
        ledger=InMemoryLedger(),
        chaincode=ContractRouter([EnergyContract()]),
        utility=make_identity("GridOperatorMSP", "Admin@gridoperator.gridledger.local", ou="admin"),
        seller=make_identity("ProsumerMSP", "solarco"),
        buyers=[make_identity("ProsumerMSP", "alice"), make_identity("ProsumerMSP", "bob")],
    )
    for who, role in [(m.seller, "producer"), *((b, "consumer") for b in m.buyers)]:
        name = who.subject.split("=")[-1]
        m.ok(m.utility, "RegisterParticipant", who.msp_id, who.subject, role, "north", name)
    return m


@pytest.mark.parametrize("meters", [1, 6])
def test_one_buy_of_a_week_reads_in_proportion_to_its_intervals(
    market: Market, reads: Reads, meters: int
) -> None:
    meter_ids = [f"M-SOLAR-{n}" for n in range(meters)]
    for meter_id in meter_ids:
        market.renewable_meter(meter_id)
        # a week of history before the offer, and the offer's week, 500 Wh every interval
        market.export(meter_id, WEEK0 - N * Q, [500] * (2 * N))
    offer = market.offer(meter_ids[0], WEEK0, N, 1000)
    reads.keys = reads.ranges = reads.rows = 0
    reads.range_keys.clear()

    trades = market.ok(market.buyers[0], "Buy", offer, "400")

    assert len(trades) == N
    assert reads.keys <= FIXED_READS + CLOSED_DAY_READS + N, reads.keys
    assert all(key.startswith(certificate_supply.SUPPLY) for key in reads.range_keys)
    assert reads.ranges == DAYS  # one per day
    # each trade draws on one certificate (400 of 500 Wh): the first meter's 96 rows a day
    assert reads.rows == DAYS * 96, reads.rows
    bought = market.certificates(market.buyers[0])
    assert len(bought) == N and {c["wh"] for c in bought} == {400}
    assert {c["meter_id"] for c in bought} == {meter_ids[0]}


def test_a_trade_draws_on_the_meters_in_order_and_leftovers_serve_the_next_buy(
    market: Market,
) -> None:
    meters = ["M-A", "M-B", "M-C"]
    for meter_id in meters:
        market.renewable_meter(meter_id)
        market.export(meter_id, WEEK0, [300, 300])
    offer = market.offer("M-A", WEEK0, 2, 1000)
    alice, bob = market.buyers

    market.ok(alice, "Buy", offer, "700")
    market.ok(bob, "Buy", offer, "250")

    by_interval: dict[str, list[tuple[str, str, int]]] = {}
    for who in (alice, bob):
        for c in market.certificates(who):
            entry = (c["parent_id"], c["owner"].split("=")[-1], c["wh"])
            by_interval.setdefault(c["interval_start"], []).append(entry)
    first = sorted(by_interval[format_utc(WEEK0)])
    assert first == [
        (f"M-A:{WEEK0}", "alice", 300),
        (f"M-B:{WEEK0}", "alice", 300),
        (f"M-C:{WEEK0}", "alice", 100),
        (f"M-C:{WEEK0}", "bob", 200),
    ]
    parents = {c["certificate_id"]: c for c in market.certificates(market.seller)}
    assert parents[f"M-C:{WEEK0}"]["status"] == "transferred"
    assert {(p["status"], p["transferred_wh"]) for p in parents.values()} == {("transferred", 300)}


def test_a_certificate_fully_transferred_leaves_the_supply_index(market: Market) -> None:
    market.renewable_meter("M-A")
    market.export("M-A", WEEK0, [300])
    supply_key = certificate_supply.supply_key(pid(market.seller), WEEK0, "M-A")
    assert market.ledger.state[supply_key] == b"300"
    offer = market.offer("M-A", WEEK0, 1, 1000)
    market.ok(market.buyers[0], "Buy", offer, "100")
    assert market.ledger.state[supply_key] == b"200"
    market.ok(market.buyers[1], "Buy", offer, "500")
    assert supply_key not in market.ledger.state


def test_a_day_is_read_meter_by_meter_only_until_its_trades_are_covered(
    market: Market, reads: Reads
) -> None:
    for meter_id in ("M-A", "M-B", "M-C"):
        market.renewable_meter(meter_id)
        market.export(meter_id, WEEK0, [300] * 4)
    offer = market.offer("M-A", WEEK0 + Q, 2, 1000)
    reads.ranges = reads.rows = 0

    market.ok(market.buyers[0], "Buy", offer, "500")

    assert reads.ranges == 1  # the day
    assert reads.rows == 4 + 3  # M-A's four rows, then M-B's up to the second interval
    bought = market.certificates(market.buyers[0])
    assert sorted((c["interval_start"], c["parent_id"], c["wh"]) for c in bought) == [
        (format_utc(WEEK0 + Q), f"M-A:{WEEK0 + Q}", 300),
        (format_utc(WEEK0 + Q), f"M-B:{WEEK0 + Q}", 200),
        (format_utc(WEEK0 + 2 * Q), f"M-A:{WEEK0 + 2 * Q}", 300),
        (format_utc(WEEK0 + 2 * Q), f"M-B:{WEEK0 + 2 * Q}", 200),
    ]


def test_entries_of_the_first_layout_are_migrated_page_by_page_and_then_drawn_on(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    for meter_id in ("M-A", "M-B"):
        market.renewable_meter(meter_id)
        market.export(meter_id, WEEK0, [300] * 2)
    owner = pid(market.seller)
    state = market.ledger.state
    new_keys = sorted(k for k in state if k.startswith(certificate_supply.SUPPLY))
    assert len(new_keys) == 4
    prefix = f"{certificate_supply.LEGACY_SUPPLY}{len(owner)}:{owner}/"
    for key in new_keys:  # as a ledger written before the by-day layout holds them
        meter_id, _, start = key.rpartition("/")[2].partition("!")
        state[f"{prefix}{int(start):010d}/{meter_id}"] = state.pop(key)
    offer = market.offer("M-A", WEEK0, 2, 1000)
    assert market.ok(market.buyers[0], "Buy", offer, "100")  # nothing drawn: not migrated yet
    assert market.certificates(market.buyers[0]) == []
    monkeypatch.setattr(certificate_supply, "MIGRATE_ROWS", 3)

    first = market.ok(market.utility, "MigrateCertificateSupply", owner)
    second = market.ok(market.utility, "MigrateCertificateSupply", owner)

    assert (first["moved"], first["more"], second["moved"], second["more"]) == (3, True, 1, False)
    assert sorted(k for k in state if k.startswith(certificate_supply.SUPPLY)) == new_keys
    assert not any(k.startswith(certificate_supply.LEGACY_SUPPLY) for k in state)
    market.ok(market.buyers[1], "Buy", offer, "100")
    assert {c["parent_id"] for c in market.certificates(market.buyers[1])} == {
        f"M-A:{WEEK0}",
        f"M-A:{WEEK0 + Q}",
    }
    refused = market.ledger.invoke(
        market.chaincode, "energy:MigrateCertificateSupply", owner, identity=market.buyers[0]
    )
    assert not refused.ok and "access denied" in refused.message
