"""Conformance fixtures: Hyperledger's Node chaincode server behind the session's devnet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from harness.devnet import TestNetwork, start_node_chaincode_server
from harness.layout import NODE_DIR, node_packages_installed

NOT_INSTALLED = (
    f"Node packages missing ({NODE_DIR.relative_to(NODE_DIR.parents[2])}/node_modules): "
    "run `make install` to enable conformance tests"
)


@pytest.fixture(autouse=True, scope="session")
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
