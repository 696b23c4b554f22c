"""Errors raised while simulating, with Fabric's messages."""

from __future__ import annotations


class SimulationError(Exception):
    """A ledger request from the chaincode failed; the message goes back in an ERROR reply."""


class ChaincodeUnavailable(Exception):
    """The chaincode cannot be reached, its stream ended, or it did not answer in time."""
