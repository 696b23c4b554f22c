"""Every transaction function the chaincode serves, read from its own contract metadata, and
hypothesis strategies for arguments shaped (and mis-shaped) like what each parameter declares."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gridledger_chaincode.contracts import build_chaincode
from hypothesis import strategies as st

INTERESTING_TEXT = [
    "",
    " ",
    "\x00",
    "m-1",
    "m-2",
    "GridOperatorMSP",
    "ProsumerMSP",
    "utility",
    "producer",
    "consumer",
    "prosumer",
    "auditor",
    "solar",
    "wind",
    "grid",
    "production",
    "consumption",
    "bidirectional",
    "zone-1",
    "2026-11-26T10:15:00Z",
    "2026-11-26T10:07:00Z",
    "2026-11-26T10:15:00+01:00",
    "2026-11-26",
    "9999-12-31T23:45:00Z",
    "0001-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "{}",
    "[]",
    "null",
    "true",
    '{"a": 1}',
    '["x"]',
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 40,
    "a" * 300,
    "../../etc/passwd",
    "'; DROP TABLE state; --",
    "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
free_text = st.text(max_size=40)
raw_bytes = st.binary(max_size=24)  # not always valid UTF-8
any_text = st.one_of(
    st.sampled_from(INTERESTING_TEXT), free_text, json_values.map(json.dumps), raw_bytes
)
integer_text = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.integers(-5, 100_000).map(str),
    st.sampled_from(["", "1.5", "0x10", " 7", "1_000", "+3", "-0", "١٢"]),
    free_text,
)


def strategy_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    kind = schema.get("type")
    if kind == "integer":
        return integer_text
    if kind == "boolean":
        return st.one_of(st.sampled_from(["true", "false", "TRUE", "1", ""]), free_text)
    if kind in ("array", "object") or "$ref" in schema:
        return st.one_of(json_values.map(json.dumps), any_text)
    return any_text


@dataclass(frozen=True)
class ChaincodeFunction:
    contract: str
    name: str
    schemas: tuple[dict[str, Any], ...]

    @property
    def qualified(self) -> str:
        return f"{self.contract}:{self.name}"

    def arguments(self) -> st.SearchStrategy[list[Any]]:
        exact = st.tuples(*(strategy_for(schema) for schema in self.schemas)).map(list)
        wrong_count = st.lists(any_text, max_size=len(self.schemas) + 2)
        return st.one_of(exact, exact, exact, wrong_count)

    def __str__(self) -> str:
        return self.qualified


def chaincode_functions() -> list[ChaincodeFunction]:
    metadata = build_chaincode().metadata
    return [
        ChaincodeFunction(
            contract=contract_name,
            name=str(transaction["name"]),
            schemas=tuple(p.get("schema", {}) for p in transaction.get("parameters", [])),
        )
        for contract_name, contract in metadata["contracts"].items()
        for transaction in contract["transactions"]
    ]
