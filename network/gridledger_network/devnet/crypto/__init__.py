"""Crypto material for the devnet (cryptogen layout): ``ensure_crypto_material(root, config)``."""

from gridledger_network.devnet.crypto.generate import ensure_crypto_material
from gridledger_network.devnet.crypto.layout import CryptoLayout

__all__ = ["CryptoLayout", "ensure_crypto_material"]
