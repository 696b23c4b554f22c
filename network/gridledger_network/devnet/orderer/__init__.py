"""Ordering: broadcast checks, block cutting, block writing (sign, validate, commit)."""

from gridledger_network.devnet.orderer.block_cutter import BlockCutter
from gridledger_network.devnet.orderer.block_writer import BlockWriter, sign_block
from gridledger_network.devnet.orderer.orderer import SoloOrderer

__all__ = ["BlockCutter", "BlockWriter", "SoloOrderer", "sign_block"]
