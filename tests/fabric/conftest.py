"""Fixtures for tests that need real Fabric: skipped with one line when no binaries are found."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fabric.backend import (
    FabricTestNetwork,
    fabric_binaries_or_skip,
    selected_backend,
    start_fabric_test_network,
)


@pytest.fixture(scope="session")
def fabric_network(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FabricTestNetwork]:
    """Real Fabric with our chaincode: the session's network when it is Fabric, else a new one."""
    fabric_binaries_or_skip()
    if selected_backend(request.config) == "fabric":
        network = request.getfixturevalue("test_network")
        if isinstance(network, FabricTestNetwork):
            yield network
            return
    network = start_fabric_test_network(
        tmp_path_factory.mktemp("fabric"), with_node_chaincode=False
    )
    try:
        yield network
    finally:
        network.stop()


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def fabric_profile(fabric_network: FabricTestNetwork) -> Any:
    return fabric_network.profile


@pytest.fixture
def no_fabric_binaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No Fabric binaries in ``$FABRIC_BIN``, on the ``PATH`` or in the cache (returned)."""
    monkeypatch.setenv("FABRIC_BIN", str(tmp_path / "nothing-here"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("GRIDLEDGER_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"
