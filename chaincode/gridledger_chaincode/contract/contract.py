"""The base class of every contract: a name, its transaction functions, and hooks."""

from __future__ import annotations

from typing import Any, ClassVar

from gridledger_chaincode.contract.context import Context
from gridledger_chaincode.contract.decorators import TRANSACTION_ATTRIBUTE, TransactionMarker
from gridledger_chaincode.contract.errors import ContractError
from gridledger_chaincode.contract.transaction import TransactionFunction
from gridledger_chaincode.shim.interface import LedgerStub


class Contract:
    """Subclass it, set `name`, and decorate methods with `@transaction` / `@query`.

    Transaction functions take `(self, ctx: Context, ...)` and are found when the class is
    defined, so a mistyped parameter fails at import, not at the first transaction.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    version: ClassVar[str] = ""
    transactions: ClassVar[dict[str, TransactionFunction]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            cls.name = cls.__name__
        found: dict[str, TransactionFunction] = {}
        for klass in reversed(cls.__mro__):
            for attribute in vars(klass).values():
                marker = getattr(attribute, TRANSACTION_ATTRIBUTE, None)
                if isinstance(marker, TransactionMarker):
                    function = TransactionFunction.from_method(attribute, marker)
                    found[function.name] = function
        cls.transactions = found

    def create_context(self, stub: LedgerStub) -> Context:
        return Context(stub)

    def before_transaction(self, ctx: Context) -> None:
        """Called before every known transaction function."""

    def after_transaction(self, ctx: Context, result: Any) -> None:
        """Called after every transaction function that returned normally."""

    def unknown_transaction(self, ctx: Context, function: str) -> Any:
        """Called for a function this contract does not have; the default refuses it."""
        raise ContractError(f"Function {function} not found in contract {self.name}")
