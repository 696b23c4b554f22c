"""Fault tests: each module gets a devnet of its own that its tests may crash."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faults.fault_network import FaultNetwork, running_fault_network


@pytest.fixture(scope="module")
def fault_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultNetwork]:
    with running_fault_network(tmp_path_factory.mktemp("faultnet")) as network:
        yield network
