"""Fixtures for the ledger-side devnet tests: crypto generated once, a fresh ledger per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gridledger_network.devnet.channel import DevnetChannel, open_channel
from gridledger_network.devnet.config import DevnetConfig, default_config
from gridledger_network.devnet.crypto import ensure_crypto_material


@pytest.fixture(scope="session")
def shared_crypto(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("devnet-crypto") / "crypto"
    ensure_crypto_material(root, default_config())
    return root


@pytest.fixture
def devnet_home(tmp_path: Path, shared_crypto: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "crypto").symlink_to(shared_crypto, target_is_directory=True)
    return home


@pytest.fixture
def config() -> DevnetConfig:
    return default_config()


@pytest.fixture
def channel(devnet_home: Path, config: DevnetConfig) -> Iterator[DevnetChannel]:
    ch = open_channel(devnet_home, config)
    yield ch
    ch.close()
