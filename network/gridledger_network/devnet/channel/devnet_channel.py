"""Open the devnet's channel: crypto, MSPs, ledger (with genesis block), signers, orderer factory.

How the service side wires it::

    config = load_config(home)                      # gridledger_network.devnet.config
    channel = open_channel(home, config)            # this module
    channel.channel_config   # ChannelConfig (identities, chaincode policies, collections)
    channel.ledger           # Ledger (SqliteLedger), reads are thread-safe
    channel.transient_store  # TransientStore: put(tx_id, TxPvtReadWriteSet) at endorsement
    channel.peer_signers[msp_id]   # LocalSigner of each org's peer: sign endorsements
    channel.layout           # CryptoLayout: paths for network.json, TLS server certs, users
    orderer = channel.new_orderer()                 # interfaces.Orderer (SoloOrderer)
    orderer.start(asyncio.get_running_loop())       # on the devnet's loop
    ... orderer.broadcast(envelope) ... await channel.ledger.wait_for_height(h) ...
    orderer.stop(); channel.close()
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gridledger_network.devnet.channel.channel_config import DevnetChannelConfig
from gridledger_network.devnet.channel.genesis import genesis_block
from gridledger_network.devnet.config import ORDERER_MSP_ID, DevnetConfig
from gridledger_network.devnet.crypto import CryptoLayout, ensure_crypto_material
from gridledger_network.devnet.ledger import BlockCommit, MemoryTransientStore, SqliteLedger
from gridledger_network.devnet.ledger.updates import TxRecord
from gridledger_network.devnet.msp import LocalSigner
from gridledger_network.devnet.orderer import BlockWriter, SoloOrderer
from gridledger_network.devnet.validator import BlockValidator


@dataclass
class DevnetChannel:
    config: DevnetConfig
    layout: CryptoLayout
    channel_config: DevnetChannelConfig
    ledger: SqliteLedger
    transient_store: MemoryTransientStore
    peer_signers: dict[str, LocalSigner]
    orderer_signer: LocalSigner

    def new_validator(self) -> BlockValidator:
        return BlockValidator(self.channel_config, self.ledger, self.transient_store)

    def new_block_writer(self) -> BlockWriter:
        """Synchronous cut-validate-commit (what the orderer runs in its commit thread)."""
        return BlockWriter(
            self.ledger, self.new_validator(), self.orderer_signer, self.transient_store
        )

    def new_orderer(self) -> SoloOrderer:
        return SoloOrderer(self.channel_config, self.new_block_writer(), self.config.batch)

    def close(self) -> None:
        self.ledger.close()


def open_channel(home: Path, config: DevnetConfig) -> DevnetChannel:
    """Generate missing crypto material, open ``home/ledger``, commit the genesis block if new."""
    layout = ensure_crypto_material(home / "crypto", config)
    channel_config = DevnetChannelConfig.from_crypto(config, layout)
    ledger = SqliteLedger(home / "ledger", config.channel)
    if ledger.height == 0:
        msps = [channel_config.msp_manager.msp(m) for m in channel_config.msp_manager.msp_ids]
        block = genesis_block(config, msps)
        ledger.commit(BlockCommit(block=block, txs=[TxRecord("", 0, 0)]))
    peer_signers = {
        msp_id: LocalSigner.from_msp_dir(layout.node_msp_dir(msp_id), msp_id)
        for msp_id in config.org_msp_ids
    }
    orderer_signer = LocalSigner.from_msp_dir(layout.node_msp_dir(ORDERER_MSP_ID), ORDERER_MSP_ID)
    return DevnetChannel(
        config, layout, channel_config, ledger, MemoryTransientStore(), peer_signers, orderer_signer
    )
