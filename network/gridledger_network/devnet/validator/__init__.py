"""Fabric's transaction validation: ``BlockValidator(channel, ledger, transient)``."""

from gridledger_network.devnet.validator.block_validator import BlockValidator

__all__ = ["BlockValidator"]
