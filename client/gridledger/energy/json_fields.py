"""Typed reads of the JSON the contract returns: a missing or mistyped field is a
``ResponseFormatError`` (the chaincode answered something this client does not understand)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gridledger.energy.instants import to_datetime
from gridledger.errors import GridLedgerError


class ResponseFormatError(GridLedgerError, ValueError):
    """The contract's answer does not have the expected shape."""


JsonObject = Mapping[str, Any]


def parse_json(raw: bytes | str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ResponseFormatError(f"the contract did not answer JSON: {exc}") from exc


def as_object(value: Any, what: str) -> JsonObject:
    if not isinstance(value, Mapping):
        raise ResponseFormatError(f"{what}: expected a JSON object, got {type(value).__name__}")
    return value


def as_objects(value: Any, what: str) -> list[JsonObject]:
    if not isinstance(value, list):
        raise ResponseFormatError(f"{what}: expected a JSON array, got {type(value).__name__}")
    return [as_object(item, f"{what}[{index}]") for index, item in enumerate(value)]


def text(data: JsonObject, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise ResponseFormatError(f"field {name!r}: expected a string, got {value!r}")
    return value


def optional_text(data: JsonObject, name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    return text(data, name)


def integer(data: JsonObject, name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ResponseFormatError(f"field {name!r}: expected an integer, got {value!r}")
    return value


def flag(data: JsonObject, name: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise ResponseFormatError(f"field {name!r}: expected true or false, got {value!r}")
    return value


def instant(data: JsonObject, name: str) -> datetime:
    value = text(data, name)
    try:
        return to_datetime(value)
    except ValueError as exc:
        raise ResponseFormatError(f"field {name!r}: {exc}") from exc


def as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ResponseFormatError(f"{what}: expected a JSON array, got {type(value).__name__}")
    return value


def integer_value(value: Any, what: str) -> int:
    return integer({what: value}, what)


def instant_value(value: Any, what: str) -> datetime:
    return instant({what: value}, what)
