"""The ledger side as the devnet server wires it: ``open_ledger_side(home, config, layout)``.

(Ledger side's module, written for server.py's imports.) ``LedgerSide`` carries ``channel_config``
(seams.ChannelConfig), ``ledger`` (seams.Ledger), ``transient_store`` (seams.TransientStore) and
``orderer`` (seams.Orderer; it attaches to the running asyncio loop on the first ``broadcast``, or
call ``orderer.start(loop)``). ``close()`` flushes the orderer, then closes the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gridledger_network.devnet.channel import DevnetChannel, DevnetChannelConfig, open_channel
from gridledger_network.devnet.config import DevnetConfig
from gridledger_network.devnet.crypto import CryptoLayout
from gridledger_network.devnet.ledger import MemoryTransientStore, SqliteLedger
from gridledger_network.devnet.orderer import SoloOrderer


@dataclass
class LedgerSide:
    channel: DevnetChannel
    orderer: SoloOrderer

    @property
    def channel_config(self) -> DevnetChannelConfig:
        return self.channel.channel_config

    @property
    def ledger(self) -> SqliteLedger:
        return self.channel.ledger

    @property
    def transient_store(self) -> MemoryTransientStore:
        return self.channel.transient_store

    def close(self) -> None:
        self.orderer.stop()
        self.channel.close()


def open_ledger_side(
    home: Path, config: DevnetConfig, layout: CryptoLayout | None = None
) -> LedgerSide:
    """``layout`` is accepted for symmetry; material is (re)checked under ``home/crypto``."""
    channel = open_channel(home, config)
    return LedgerSide(channel, channel.new_orderer())
