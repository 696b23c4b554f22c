"""The channel: configuration object, genesis block, and ``open_channel`` (see devnet_channel)."""

from gridledger_network.devnet.channel.channel_config import DevnetChannelConfig
from gridledger_network.devnet.channel.devnet_channel import DevnetChannel, open_channel
from gridledger_network.devnet.channel.genesis import genesis_block

__all__ = ["DevnetChannel", "DevnetChannelConfig", "genesis_block", "open_channel"]
