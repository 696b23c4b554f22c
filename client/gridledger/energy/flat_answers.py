"""The client's own small answer records (day results, revisions, verifications) are flat: each
field is read from the JSON field of the same name by its annotation (``str``, ``int``,
``bool``, a vocabulary ``StrEnum``; the names in ``instants`` are UTC instants), so a record
is declared once, by its fields."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import MISSING, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints

from gridledger_domain.records.fields import JsonObject, flag, instant, integer, text, word

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")

_READERS = {str: text, int: integer, bool: flag}


def read_flat(cls: type[D], data: JsonObject, *, instants: Collection[str] = (), **given: Any) -> D:
    """A ``cls`` from ``data``; ``given`` fields are taken as they are, fields with a default
    and no reader keep it."""
    hints = get_type_hints(cls)
    values = dict(given)
    for field in fields(cls):
        kind = hints[field.name]
        if field.name in values:
            continue
        if field.name in instants:
            values[field.name] = instant(data, field.name)
        elif isinstance(kind, type) and issubclass(kind, StrEnum):
            values[field.name] = word(data, field.name, kind, field.name)
        elif kind in _READERS:
            values[field.name] = _READERS[kind](data, field.name)
        elif field.default is MISSING and field.default_factory is MISSING:
            raise TypeError(f"{cls.__name__}.{field.name}: no reader for {kind!r}")
    return cls(**values)
