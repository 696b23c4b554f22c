"""Conformance fixtures: Hyperledger's Node chaincode server behind the session's devnet.

Without the Node packages (``make install`` runs ``npm ci`` in tests/conformance/node) every
conformance test is deselected and the run's summary says so in one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness.devnet import TestNetwork, start_node_chaincode_server
from harness.layout import node_packages_installed

HERE = Path(__file__).resolve().parent
NOT_INSTALLED = (
    "conformance tests skipped: Node packages missing (tests/conformance/node/node_modules); "
    "run `make install`"
)
_skipped: list[pytest.Item] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if node_packages_installed():
        return
    conformance = [item for item in items if HERE in item.path.resolve().parents]
    if conformance:
        _skipped.extend(conformance)
        items[:] = [item for item in items if item not in conformance]
        config.hook.pytest_deselected(items=conformance)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped:
        terminalreporter.write_line(f"SKIPPED [{len(_skipped)}] {NOT_INSTALLED}", yellow=True)


@pytest.fixture(scope="session")
def node_packages() -> None:
    if not node_packages_installed():
        pytest.skip(NOT_INSTALLED)


@pytest.fixture(scope="session")
def node_chaincode(test_network: TestNetwork, node_packages: None) -> Iterator[str]:
    """The name of Hyperledger's Node chaincode (kv contract), its CCaaS server running."""
    assert test_network.node_chaincode is not None
    server = start_node_chaincode_server(test_network)
    try:
        yield test_network.node_chaincode
    finally:
        server.stop()


@pytest.fixture
def node_kv(operator_network: Any, node_chaincode: str) -> Any:
    """The ``kv`` contract of the Node chaincode, through our client as GridOperatorMSP."""
    return operator_network.contract(node_chaincode, "kv")
