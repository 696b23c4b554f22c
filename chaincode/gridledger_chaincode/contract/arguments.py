"""Typed arguments and results: strings on the wire, Python types in transaction functions.

Arguments are parsed by the function's type hints: `str` as-is, `bytes` raw, `int` as a decimal
integer, `bool` as `true`/`false`, `dict`/`list`/dataclasses from JSON. Results are serialised
as: `None` → empty, `str` → UTF-8, `bytes` as-is, anything else → compact JSON.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any

from gridledger_chaincode.contract.errors import ArgumentError

Converter = Callable[[bytes], Any]

_INTEGER = re.compile(r"[+-]?[0-9]+")


def _as_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ArgumentError("is not valid UTF-8") from None


def _parse_int(raw: bytes) -> int:
    text = _as_text(raw)
    if not _INTEGER.fullmatch(text):
        raise ArgumentError(f"expected an integer, got {text!r}")
    return int(text)


def _parse_bool(raw: bytes) -> bool:
    text = _as_text(raw).lower()
    if text == "true":
        return True
    if text == "false":
        return False
    raise ArgumentError(f"expected true or false, got {text!r}")


def _load_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ArgumentError(f"is not valid JSON: {exc}") from None


def from_json_value(annotation: Any, value: Any, where: str) -> Any:
    """Check / convert a decoded JSON value against a type annotation (dataclasses included)."""
    origin = typing.get_origin(annotation)
    if annotation is Any or annotation is object:
        return value
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return from_json_value(option, value, where)
            except ArgumentError as exc:
                errors.append(str(exc))
        raise ArgumentError("; ".join(errors))
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        if not isinstance(value, dict):
            raise ArgumentError(f"{where}: expected a JSON object")
        hints = typing.get_type_hints(annotation)
        fields = {f.name: f for f in dataclasses.fields(annotation) if f.init}
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise ArgumentError(f"{where}: unknown field(s) {', '.join(unknown)}")
        kwargs = {}
        for name, field in fields.items():
            if name in value:
                kwargs[name] = from_json_value(hints[name], value[name], f"{where}.{name}")
            elif (
                field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            ):
                raise ArgumentError(f"{where}: missing field {name}")
        return annotation(**kwargs)
    if origin in (list, tuple) or annotation in (list, tuple):
        if not isinstance(value, list):
            raise ArgumentError(f"{where}: expected a JSON array")
        item_types = typing.get_args(annotation)
        if not item_types:
            return value
        items = [from_json_value(item_types[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if (origin or annotation) is tuple else items
    if origin is dict or annotation is dict:
        if not isinstance(value, dict):
            raise ArgumentError(f"{where}: expected a JSON object")
        args = typing.get_args(annotation)
        if len(args) == 2:
            return {k: from_json_value(args[1], v, f"{where}.{k}") for k, v in value.items()}
        return value
    if annotation is bool:
        if not isinstance(value, bool):
            raise ArgumentError(f"{where}: expected true or false")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ArgumentError(f"{where}: expected an integer")
        return value
    if annotation is str:
        if not isinstance(value, str):
            raise ArgumentError(f"{where}: expected a string")
        return value
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        try:
            return annotation(value)
        except ValueError:
            raise ArgumentError(f"{where}: unexpected value {value!r}") from None
    raise ArgumentError(f"{where}: unsupported type {annotation!r}")


def converter_for(annotation: Any) -> Converter:
    """The function turning one raw argument into a value of `annotation`."""
    if annotation is str or annotation is Any or annotation is typing.Any:
        return _as_text
    if annotation is bytes:
        return bytes
    if annotation is int:
        return _parse_int
    if annotation is bool:
        return _parse_bool
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        enum_type = annotation

        def parse_enum(raw: bytes) -> Any:
            text = _as_text(raw)
            try:
                return enum_type(text)
            except ValueError:
                allowed = ", ".join(str(m.value) for m in enum_type)
                raise ArgumentError(f"expected one of {allowed}, got {text!r}") from None

        return parse_enum

    def parse_json(raw: bytes) -> Any:
        return from_json_value(annotation, _load_json(raw), "value")

    # Fail at class definition, not at the first transaction, for types we cannot parse.
    schema_for(annotation)
    return parse_json


def schema_for(annotation: Any) -> dict[str, Any]:
    """JSON schema of a type, in the shape fabric-contract-api puts in contract metadata."""
    origin = typing.get_origin(annotation)
    if annotation is str or annotation is Any:
        return {"type": "string"}
    if annotation is bytes:
        return {"type": "string", "format": "byte"}
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is int:
        return {"type": "integer", "format": "int64"}
    if annotation is None or annotation is type(None):
        return {}
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return {"type": "string", "enum": [str(m.value) for m in annotation]}
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return {"$ref": f"#/components/schemas/{annotation.__name__}"}
    if origin in (list, tuple) or annotation in (list, tuple):
        args = typing.get_args(annotation)
        return {"type": "array", "items": schema_for(args[0]) if args else {}}
    if origin is dict or annotation is dict:
        return {"type": "object"}
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return schema_for(options[0]) if len(options) == 1 else {}
    raise TypeError(f"unsupported type for a transaction argument or result: {annotation!r}")


def dataclass_schemas(annotation: Any, into: dict[str, Any]) -> None:
    """Add the component schema of every dataclass reachable from `annotation` to `into`."""
    for arg in typing.get_args(annotation):
        dataclass_schemas(arg, into)
    if not (dataclasses.is_dataclass(annotation) and isinstance(annotation, type)):
        return
    if annotation.__name__ in into:
        return
    hints = typing.get_type_hints(annotation)
    properties: dict[str, Any] = {}
    required: list[str] = []
    into[annotation.__name__] = {
        "$id": annotation.__name__,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    for field in dataclasses.fields(annotation):
        properties[field.name] = schema_for(hints[field.name])
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            required.append(field.name)
        dataclass_schemas(hints[field.name], into)


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__} as JSON")


def to_json(value: Any) -> str:
    """Compact JSON, non-ASCII kept as UTF-8 (as JavaScript's JSON.stringify writes it)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def serialize_result(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return to_json(value).encode("utf-8")
