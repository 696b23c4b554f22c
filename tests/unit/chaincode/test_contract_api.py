"""The contract API: typed arguments, results, routing, hooks and metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pytest
from gridledger_chaincode.contract import (
    Context,
    Contract,
    ContractError,
    ContractRouter,
    query,
    transaction,
)
from gridledger_chaincode.testing import InMemoryLedger


class Source(StrEnum):
    SOLAR = "solar"
    WIND = "wind"


@dataclass
class Interval:
    start: str
    wh: int


@dataclass
class Offer:
    offer_id: str
    source: Source
    intervals: list[Interval]
    note: str = ""
    tags: list[str] = field(default_factory=list)


class Typed(Contract):
    name = "typed"
    version = "1.2.3"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def before_transaction(self, ctx: Context) -> None:
        self.calls.append(f"before:{ctx.stub.function}")

    def after_transaction(self, ctx: Context, result: Any) -> None:
        self.calls.append(f"after:{result!r}")

    @transaction
    def echo_types(
        self, ctx: Context, text: str, count: int, flag: bool, raw: bytes, source: Source
    ) -> dict[str, Any]:
        return {"text": text, "count": count, "flag": flag, "raw": raw.hex(), "source": source}

    @transaction
    def post_offer(self, ctx: Context, offer: Offer) -> Offer:
        return offer

    @query
    def totals(self, ctx: Context, amounts: list[int], labels: dict[str, str]) -> list[int]:
        return [sum(amounts), len(labels)]

    @query(name="customName")
    def renamed(self, ctx: Context) -> bytes:
        return b"\x00\x01"

    @transaction
    def nothing(self, ctx: Context) -> None:
        return None

    @transaction
    def join(self, ctx: Context, separator: str, *parts: str) -> str:
        return separator.join(parts)

    @transaction(evaluate=True)
    def flagged(self, ctx: Context, value: bool) -> bool:
        return value


class Second(Contract):
    @transaction
    def hello(self, ctx: Context) -> str:
        raise ContractError("second says no")


@pytest.fixture
def typed() -> Typed:
    return Typed()


@pytest.fixture
def router(typed: Typed) -> ContractRouter:
    return ContractRouter([typed, Second()], title="test", version="9")


def run(router: ContractRouter, *args: str) -> Any:
    return InMemoryLedger().invoke(router, *args)


def test_arguments_are_parsed_by_type_hints(router: ContractRouter) -> None:
    result = run(router, "EchoTypes", "héllo", "-42", "TRUE", "raw", "wind")
    assert result.ok, result.message
    assert result.json() == {
        "text": "héllo",
        "count": -42,
        "flag": True,
        "raw": b"raw".hex(),
        "source": "wind",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("a", "4.0", "true", "r", "wind"), "argument count: expected an integer, got '4.0'"),
        (("a", "1_000", "true", "r", "wind"), "argument count: expected an integer, got '1_000'"),
        (("a", "4", "yes", "r", "wind"), "argument flag: expected true or false, got 'yes'"),
        (
            ("a", "4", "true", "r", "coal"),
            "argument source: expected one of solar, wind, got 'coal'",
        ),
        (("a", "4", "true", "r"), "Incorrect number of params. Expected 5, received 4"),
    ],
)
def test_argument_errors_are_clear(
    router: ContractRouter, args: tuple[str, ...], message: str
) -> None:
    assert run(router, "typed:EchoTypes", *args).message == message


def test_dataclass_argument_and_result_via_json(router: ContractRouter) -> None:
    offer = {
        "offer_id": "o1",
        "source": "solar",
        "intervals": [{"start": "2025-01-01T10:00:00Z", "wh": 500}],
    }
    result = run(router, "PostOffer", json.dumps(offer))
    assert result.ok, result.message
    assert result.json() == {**offer, "note": "", "tags": []}
    bad = {**offer, "intervals": [{"start": "x", "wh": "500"}]}
    assert run(router, "PostOffer", json.dumps(bad)).message == (
        "argument offer: value.intervals[0].wh: expected an integer"
    )
    unknown = {**offer, "price": 3}
    assert run(router, "PostOffer", json.dumps(unknown)).message == (
        "argument offer: value: unknown field(s) price"
    )
    assert run(router, "PostOffer", "{").message.startswith("argument offer: is not valid JSON")


def test_collections_results_bytes_none_and_variadic(router: ContractRouter) -> None:
    assert run(router, "Totals", "[1,2,3]", '{"a":"x"}').json() == [6, 1]
    assert run(router, "customName").payload == b"\x00\x01"
    assert run(router, "Nothing").payload == b""
    assert run(router, "Join", "-", "a", "b", "c").text == "a-b-c"
    assert run(router, "Join", "-").text == ""
    assert run(router, "Flagged", "false").text == "false"


def test_hooks_run_around_known_transactions(router: ContractRouter, typed: Typed) -> None:
    run(router, "Nothing")
    run(router, "Missing")
    assert typed.calls == ["before:Nothing", "after:None"]


def test_routing_and_errors(router: ContractRouter) -> None:
    assert run(router, "Second:Hello").message == "second says no"
    assert run(router, ":Nothing").ok  # empty contract name: the default contract
    assert run(router, "Hello").message == "Function Hello not found in contract typed"
    assert run(router, "nope:Hello").message == "Contract not found with name nope"


def test_no_arguments_is_the_default_initiator(router: ContractRouter) -> None:
    result = run(router, "")
    assert (result.ok, result.text) == (True, "Default initiator successful.")


def test_metadata_shape(router: ContractRouter) -> None:
    result = run(router, "org.hyperledger.fabric:GetMetadata")
    metadata = result.json()
    assert metadata["$schema"].endswith("contract-schema.json")
    assert metadata["info"] == {"title": "test", "version": "9"}
    assert list(metadata["contracts"]) == ["typed", "Second", "org.hyperledger.fabric"]
    typed_meta = metadata["contracts"]["typed"]
    assert typed_meta["contractInstance"] == {"name": "typed", "default": True}
    assert typed_meta["info"] == {"title": "typed", "version": "1.2.3"}
    by_name = {t["name"]: t for t in typed_meta["transactions"]}
    assert set(by_name) == {
        "EchoTypes",
        "PostOffer",
        "Totals",
        "customName",
        "Nothing",
        "Join",
        "Flagged",
    }
    assert by_name["Totals"]["tag"] == ["EVALUATE"]
    assert by_name["Flagged"]["tag"] == ["EVALUATE"]
    assert by_name["PostOffer"]["tag"] == ["SUBMIT", "submitTx"]
    assert [p["schema"] for p in by_name["EchoTypes"]["parameters"]] == [
        {"type": "string"},
        {"type": "integer", "format": "int64"},
        {"type": "boolean"},
        {"type": "string", "format": "byte"},
        {"type": "string", "enum": ["solar", "wind"]},
    ]
    assert by_name["PostOffer"]["returns"] == {"$ref": "#/components/schemas/Offer"}
    assert "returns" not in by_name["Nothing"]
    schemas = metadata["components"]["schemas"]
    assert set(schemas) == {"Offer", "Interval"}
    assert schemas["Offer"]["required"] == ["offer_id", "source", "intervals"]
    assert schemas["Offer"]["properties"]["intervals"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Interval"},
    }
    system = metadata["contracts"]["org.hyperledger.fabric"]["transactions"]
    assert [t["name"] for t in system] == ["GetMetadata"]


def test_unsupported_argument_type_fails_when_the_class_is_defined() -> None:
    with pytest.raises(TypeError, match="unsupported type"):

        class Broken(Contract):
            @transaction
            def measure(self, ctx: Context, value: float) -> None:
                return None


def test_router_refuses_duplicate_names_and_unknown_default() -> None:
    with pytest.raises(ValueError, match="two contracts"):
        ContractRouter([Second(), Second()])
    with pytest.raises(ValueError, match="default contract"):
        ContractRouter([Second()], default="nope")
