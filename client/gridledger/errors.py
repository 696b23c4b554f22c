"""The root of every error GridLedger raises: `except GridLedgerError` catches ours, nothing else.

Below it: ``GatewayError`` (and its Fabric-shaped subclasses ``EndorseError``, ``SubmitError``,
``CommitStatusError``, ``CommitError``, ...), the energy contract's refusals, ``ProfileError``,
``MspError``, the outbox's errors, ``MeterDataError`` and the network tools' errors.
"""

from gridledger_domain.errors import GridLedgerError

__all__ = ["GridLedgerError"]
