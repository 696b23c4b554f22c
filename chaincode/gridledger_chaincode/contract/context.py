"""The transaction context handed to every transaction function as its first argument."""

from __future__ import annotations

from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.shim.interface import LedgerStub


class Context:
    """The ledger stub of this transaction and who submitted it."""

    __slots__ = ("stub",)

    def __init__(self, stub: LedgerStub) -> None:
        self.stub = stub

    @property
    def client_identity(self) -> ClientIdentity:
        return self.stub.creator
