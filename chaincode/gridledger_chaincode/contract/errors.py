"""Errors contract code raises on purpose; their message is what the client sees."""


class ContractError(Exception):
    """A transaction refuses its input or the ledger's state. Nothing it wrote is kept."""


class ArgumentError(ContractError):
    """An argument could not be parsed into the type the transaction function declares."""
