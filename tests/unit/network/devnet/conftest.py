"""Fixtures for the devnet's unit tests: crypto material and the channel MSPs built from it."""

from __future__ import annotations

import pytest
from gridledger_network.devnet.channel import DevnetChannelConfig
from gridledger_network.devnet.config import default_config
from gridledger_network.devnet.crypto import CryptoLayout, ensure_crypto_material


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> CryptoLayout:
    return ensure_crypto_material(tmp_path_factory.mktemp("crypto") / "crypto", default_config())


@pytest.fixture(scope="module")
def channel_config(layout: CryptoLayout) -> DevnetChannelConfig:
    return DevnetChannelConfig.from_crypto(default_config(), layout)
