"""Pytest plugin: run the unchanged integration/conformance suites on the selected backend.

    PYTHONPATH=tests GRIDLEDGER_BACKEND=fabric pytest -p fabric.plugin tests/integration

Loaded with ``-p`` before ``tests/conftest.py`` imports the harness, it swaps the harness's
``start_test_network`` (and ``start_node_chaincode_server``) for backend-aware versions. It is the
stop-gap until ``tests/conftest.py`` calls ``fabric.backend.start_backend_network`` itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import harness.devnet as harness_devnet
import pytest

from fabric.backend import selected_backend, start_fabric_test_network

_devnet_start = harness_devnet.start_test_network
_devnet_node_server = harness_devnet.start_node_chaincode_server
_config: pytest.Config | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config


def _start_test_network(home: Path, *, with_node_chaincode: bool) -> Any:
    if _config is not None and selected_backend(_config) == "fabric":
        return start_fabric_test_network(home, with_node_chaincode=with_node_chaincode)
    return _devnet_start(home, with_node_chaincode=with_node_chaincode)


def _start_node_chaincode_server(network: Any) -> Any:
    starter = getattr(network, "start_node_chaincode", None)
    return starter() if starter is not None else _devnet_node_server(network)


harness_devnet.start_test_network = _start_test_network
harness_devnet.start_node_chaincode_server = _start_node_chaincode_server
