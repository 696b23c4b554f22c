"""One JSON codec for the ledger's records: every field is written and read by its type.

A record is a frozen dataclass deriving from :class:`Record`. Its fields' types say how they
travel: ``str``, ``int`` and ``bool`` as themselves, :data:`Instant` as ``YYYY-MM-DDTHH:MM:SSZ``,
a vocabulary word (``StrEnum``) as its value, ``tuple[R, ...]`` of records as an array of
objects, ``tuple[str, ...]`` as an array of strings. Reading is strict (a missing or
mistyped field is an ``InvalidRequest`` naming it); a field with a default may be left out. A
field with :data:`QUIET` metadata is also left out when written while it holds its default, so
records written before the field existed re-encode to the same bytes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, NamedTuple, Self, get_args, get_origin, get_type_hints

from gridledger_domain.records.fields import (
    JsonObject,
    flag,
    instant,
    integer,
    objects,
    text,
    texts,
    word,
)
from gridledger_domain.timeutil import format_utc


class _InstantMark:
    """Marks an ``int`` field that holds a UTC instant (Unix seconds)."""


Instant = Annotated[int, _InstantMark]
"""A UTC instant, Unix seconds in Python, ``YYYY-MM-DDTHH:MM:SSZ`` in JSON."""

Encode = Callable[[Any], Any]
Decode = Callable[[JsonObject, str], Any]


class Record:
    """Base of the ledger's records: ``to_json_dict`` and ``from_json_dict`` from the fields."""

    __slots__ = ()

    def to_json_dict(self) -> dict[str, Any]:
        written = {}
        for field in _plan(type(self)):
            value = getattr(self, field.name)
            if not (field.quiet and value == field.default):
                written[field.name] = field.encode(value)
        return written

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> Self:
        values = {
            field.name: field.decode(data, field.name)
            for field in _plan(cls)
            if field.required or field.name in data
        }
        return cls(**values)


def _same(value: Any) -> Any:
    return value


def _word_value(value: StrEnum) -> str:
    return value.value


def _records_out(values: tuple[Record, ...]) -> list[dict[str, Any]]:
    return [value.to_json_dict() for value in values]


def _what(vocabulary: type[StrEnum]) -> str:
    """``MeterKind`` -> ``"meter kind"``: how a refusal names the word that was expected."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", vocabulary.__name__).lower()


def _field_codec(hint: Any) -> tuple[Encode, Decode]:
    if get_origin(hint) is Annotated and _InstantMark in get_args(hint):
        return format_utc, instant
    if hint is str:
        return _same, text
    if hint is bool:
        return _same, flag
    if hint is int:
        return _same, integer
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        vocabulary, what = hint, _what(hint)
        return _word_value, lambda data, name: word(data, name, vocabulary, what)
    element = get_args(hint)[0] if get_origin(hint) is tuple else None
    if element is str:
        return list, lambda data, name: tuple(texts(data, name))
    if isinstance(element, type) and issubclass(element, Record):
        kind = element
        return _records_out, lambda data, name: tuple(
            kind.from_json_dict(item) for item in objects(data, name)
        )
    raise TypeError(f"no JSON codec for a record field of type {hint!r}")


QUIET = {"quiet": True}
"""Field metadata, ``field(default=..., metadata=QUIET)``: not written while at its default."""


class _Field(NamedTuple):
    name: str
    encode: Encode
    decode: Decode
    required: bool
    quiet: bool
    default: Any


_PLANS: dict[type, tuple[_Field, ...]] = {}


def _plan(cls: type) -> tuple[_Field, ...]:
    """How each field of the record class ``cls`` travels (worked out once per class)."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = get_type_hints(cls, include_extras=True)
        plan = tuple(
            _Field(
                field.name,
                *_field_codec(hints[field.name]),
                required=field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING,
                quiet=bool(field.metadata.get("quiet")),
                default=field.default,
            )
            for field in dataclasses.fields(cls)
        )
        _PLANS[cls] = plan
    return plan
