"""Strict reads of a record's JSON fields, shared by every record's ``from_json_dict``.

A missing or mistyped field is an :class:`InvalidRequest` that names the field: the chaincode
refuses such input with that message, and the client reports such an answer as malformed.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import parse_utc
from gridledger_domain.vocabulary import parse_word

JsonObject = Mapping[str, Any]
_T = TypeVar("_T")
_Word = TypeVar("_Word", bound=StrEnum)


def as_object(value: Any, what: str) -> JsonObject:
    if not isinstance(value, Mapping):
        raise InvalidRequest(f"{what}: expected a JSON object, got {type(value).__name__}")
    return value


def _field(data: JsonObject, name: str, kind: type[_T], expected: str) -> _T:
    """``data[name]`` if it is a ``kind`` (JSON ``true``/``false`` is not an integer)."""
    value = data.get(name)
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    raise InvalidRequest(f"field {name!r}: expected {expected}, got {value!r}")


def items(data: JsonObject, name: str) -> list[Any]:
    return _field(data, name, list, "a JSON array")


def objects(data: JsonObject, name: str) -> list[JsonObject]:
    return [as_object(item, f"{name}[{index}]") for index, item in enumerate(items(data, name))]


def texts(data: JsonObject, name: str) -> list[str]:
    values = items(data, name)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise InvalidRequest(f"field {name!r}[{index}]: expected a string, got {value!r}")
    return values


def text(data: JsonObject, name: str) -> str:
    return _field(data, name, str, "a string")


def integer(data: JsonObject, name: str) -> int:
    return _field(data, name, int, "an integer")


def flag(data: JsonObject, name: str) -> bool:
    return _field(data, name, bool, "true or false")


def instant(data: JsonObject, name: str) -> int:
    """A ``YYYY-MM-DDTHH:MM:SSZ`` field as Unix seconds."""
    return instant_value(text(data, name), name)


def instant_value(value: Any, what: str) -> int:
    if not isinstance(value, str):
        raise InvalidRequest(f"{what}: expected a UTC instant, got {value!r}")
    try:
        return parse_utc(value)
    except ValueError as exc:
        raise InvalidRequest(f"{what}: {exc}") from None


def word(data: JsonObject, name: str, vocabulary: type[_Word], what: str) -> _Word:
    """A field holding one of ``vocabulary``'s words (``what`` names it in the message)."""
    return parse_word(vocabulary, text(data, name), what)
