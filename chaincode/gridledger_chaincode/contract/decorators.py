"""`@transaction` (submit), `@transaction(evaluate=True)` and `@query` (evaluate) decorators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])

TRANSACTION_ATTRIBUTE = "__gridledger_transaction__"


@dataclass(frozen=True)
class TransactionMarker:
    """What the decorator records on the function; the Contract class reads it."""

    evaluate: bool
    name: str | None


@overload
def transaction(func: F, /) -> F: ...


@overload
def transaction(*, evaluate: bool = False, name: str | None = None) -> Callable[[F], F]: ...


def transaction(
    func: F | None = None, /, *, evaluate: bool = False, name: str | None = None
) -> F | Callable[[F], F]:
    """Mark a contract method as a transaction function.

    Its Fabric name is `name`, or the method name in PascalCase (`submit_reading` →
    `SubmitReading`). `evaluate=True` tags it as a query in the contract metadata.
    """

    def mark(target: F) -> F:
        setattr(target, TRANSACTION_ATTRIBUTE, TransactionMarker(evaluate=evaluate, name=name))
        return target

    if func is not None:
        return mark(func)
    return mark


@overload
def query(func: F, /) -> F: ...


@overload
def query(*, name: str | None = None) -> Callable[[F], F]: ...


def query(func: F | None = None, /, *, name: str | None = None) -> F | Callable[[F], F]:
    """Shorthand for `@transaction(evaluate=True)`."""
    if func is not None:
        return transaction(evaluate=True, name=name)(func)
    return transaction(evaluate=True, name=name)
