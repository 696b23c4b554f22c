"""The records' one JSON codec: every record reads back from its JSON as itself, strictly."""

from __future__ import annotations

import dataclasses
import json

import pytest
from gridledger_domain import parse_utc, simulated_meter_key
from gridledger_domain.records import (
    Certificate,
    LineItem,
    Meter,
    Offer,
    Participant,
    Tariff,
    TouBand,
    Trade,
)
from gridledger_domain.records.codec import Instant, Record
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.vocabulary import EnergySource, LineKind, MeterKind, Role

NOON = parse_utc("2025-06-21T12:00:00Z")
SELLER = "ProsumerMSP::CN=solarco"
BUYER = "ProsumerMSP::CN=bob"
KEY = simulated_meter_key("codec tests").public_key_pem()

RECORDS: list[Record] = [
    Participant("ProsumerMSP", "CN=bob", Role.CONSUMER, "north", "Bob"),
    Meter("M-1", SELLER, MeterKind.PRODUCTION, EnergySource.SOLAR, "north", KEY),
    Offer("o-1", SELLER, "M-1", EnergySource.SOLAR, "north", NOON, 4, 500, 123_400, 250),
    Trade("o-1.0", "o-1", BUYER, SELLER, NOON, 250, 123_400, EnergySource.SOLAR),
    Tariff(
        2,
        parse_utc("2025-06-01T00:00:00Z"),
        (TouBand("night", 0, 200_000), TouBand("day", 420, 300_000)),
        80_000,
        50_000,
        30,
        1900,
    ),
    Certificate("M-1:0", "M-1", NOON, EnergySource.SOLAR, 700, SELLER, transferred_wh=250),
    LineItem(LineKind.TRADE_PURCHASE, 1, 250, "Wh", 123_400, 31, SELLER, "", 250),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: type(record).__name__)
def test_a_record_reads_back_from_its_json_as_itself(record: Record) -> None:
    text = json.dumps(record.to_json_dict())
    assert type(record).from_json_dict(json.loads(text)) == record


def test_instants_travel_as_utc_text_and_words_as_their_values() -> None:
    data = RECORDS[3].to_json_dict()
    assert data["interval_start"] == "2025-06-21T12:00:00Z" and data["source"] == "solar"
    assert RECORDS[0].to_json_dict()["participant_id"] == "ProsumerMSP::CN=bob"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quantity_wh": "250"}, "field 'quantity_wh': expected an integer"),
        ({"interval_start": "2025-06-21 12:00"}, "interval_start"),
        ({"source": "sunshine"}, "unknown energy source 'sunshine'"),
        ({"buyer": None}, "field 'buyer': expected a string"),
    ],
)
def test_a_malformed_field_is_refused_by_name(change: dict[str, object], message: str) -> None:
    data = {**RECORDS[3].to_json_dict(), **change}
    with pytest.raises(InvalidRequest, match=message):
        Trade.from_json_dict(data)


def test_a_missing_field_is_refused_unless_it_has_a_default() -> None:
    data = RECORDS[5].to_json_dict()
    for optional in ("transferred_wh", "trade_id", "parent_id", "bill_id", "claimed_wh", "status"):
        del data[optional]
    assert Certificate.from_json_dict(data) == dataclasses.replace(RECORDS[5], transferred_wh=0)
    del data["owner"]
    with pytest.raises(InvalidRequest, match="field 'owner'"):
        Certificate.from_json_dict(data)


def test_a_field_type_without_a_codec_is_a_programming_error() -> None:
    @dataclasses.dataclass(frozen=True)
    class Odd(Record):
        at: Instant
        ratio: float

    with pytest.raises(TypeError, match="no JSON codec"):
        Odd(0, 0.5).to_json_dict()
