"""A transaction function as the router sees it: its Fabric name, typed parameters, tags."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gridledger_chaincode.contract.arguments import (
    Converter,
    converter_for,
    dataclass_schemas,
    schema_for,
)
from gridledger_chaincode.contract.decorators import TransactionMarker
from gridledger_chaincode.contract.errors import ArgumentError
from gridledger_chaincode.contract.naming import function_name, parameter_name


@dataclass(frozen=True)
class Parameter:
    name: str  # as in contract metadata (camelCase)
    annotation: Any
    convert: Converter


@dataclass(frozen=True)
class TransactionFunction:
    name: str
    method_name: str
    evaluate: bool
    parameters: tuple[Parameter, ...]
    variadic: Parameter | None
    returns: Any

    @classmethod
    def from_method(
        cls, method: Callable[..., Any], marker: TransactionMarker
    ) -> TransactionFunction:
        signature = inspect.signature(method)
        hints = typing.get_type_hints(method)
        params = list(signature.parameters.values())
        # Skip `self` and the transaction context.
        if len(params) < 2:
            raise TypeError(
                f"transaction function {method.__qualname__} must take (self, ctx, ...)"
            )
        fixed: list[Parameter] = []
        variadic: Parameter | None = None
        for param in params[2:]:
            annotation = hints.get(param.name, str)
            parameter = Parameter(parameter_name(param.name), annotation, converter_for(annotation))
            if param.kind is inspect.Parameter.VAR_POSITIONAL:
                variadic = parameter
            elif param.kind in (
                inspect.Parameter.POSITIONAL_ONLY,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
            ):
                fixed.append(parameter)
            else:
                raise TypeError(
                    f"transaction function {method.__qualname__}: parameter {param.name} "
                    "must be positional"
                )
        return cls(
            name=marker.name or function_name(method.__name__),
            method_name=method.__name__,
            evaluate=marker.evaluate,
            parameters=tuple(fixed),
            variadic=variadic,
            returns=hints.get("return", type(None)),
        )

    def parse_arguments(self, raw_args: Sequence[bytes]) -> list[Any]:
        expected = len(self.parameters)
        received = len(raw_args)
        if received != expected and not (self.variadic is not None and received > expected):
            raise ArgumentError(
                f"Incorrect number of params. Expected {expected}, received {received}"
            )
        values: list[Any] = []
        for index, raw in enumerate(raw_args):
            parameter = self.parameters[index] if index < expected else self.variadic
            assert parameter is not None
            try:
                values.append(parameter.convert(raw))
            except ArgumentError as exc:
                raise ArgumentError(f"argument {parameter.name}: {exc}") from None
        return values

    def metadata(self, schemas: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": self.name,
            "tag": ["EVALUATE"] if self.evaluate else ["SUBMIT", "submitTx"],
        }
        parameters = []
        for parameter in self.parameters:
            dataclass_schemas(parameter.annotation, schemas)
            parameters.append(
                {
                    "name": parameter.name,
                    "description": "",
                    "schema": schema_for(parameter.annotation),
                }
            )
        if self.variadic is not None:
            dataclass_schemas(self.variadic.annotation, schemas)
            parameters.append(
                {
                    "name": self.variadic.name,
                    "description": "any number of further arguments",
                    "schema": schema_for(self.variadic.annotation),
                }
            )
        if parameters:
            entry["parameters"] = parameters
        return_schema = schema_for(self.returns)
        if return_schema:
            dataclass_schemas(self.returns, schemas)
            entry["returns"] = return_schema
        return entry
