"""Session fixtures shared by integration and conformance tests: one devnet per test session.

The devnet runs in a temporary home on free ports, with our Python chaincode behind it (chaincode
``gridledger``: contracts ``energy``, the default, and ``kv``) and, when the Node packages are
installed, the address of Hyperledger's Node chaincode (``kvnode``: contract ``kv``), whose
server conformance tests start on demand. Tests share the ledger, so each uses its own keys
(``unique_key``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fabric.backend import start_backend_network
from harness.devnet import OPERATOR, PROSUMER, TestNetwork
from harness.layout import node_packages_installed


@pytest.fixture(scope="session")
def test_network(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestNetwork]:
    """The devnet, or real Fabric with GRIDLEDGER_BACKEND=fabric / -m fabric (tests/fabric)."""
    home = tmp_path_factory.mktemp("network")
    network = start_backend_network(
        home, request.config, with_node_chaincode=node_packages_installed()
    )
    try:
        yield network
    finally:
        network.stop()


@pytest.fixture(scope="session")
def profile(test_network: TestNetwork) -> Any:
    """Our client's ``ConnectionProfile`` for the session's devnet."""
    return test_network.profile


@pytest.fixture(scope="session")
def operator_gateway(profile: Any) -> Iterator[Any]:
    """``User1`` of GridOperatorMSP, connected to its org's peer."""
    with profile.connect(OPERATOR, user="User1") as gateway:
        yield gateway


@pytest.fixture(scope="session")
def prosumer_gateway(profile: Any) -> Iterator[Any]:
    """``User1`` of ProsumerMSP, connected to its org's peer."""
    with profile.connect(PROSUMER, user="User1") as gateway:
        yield gateway


@pytest.fixture(scope="session")
def utility_gateway(profile: Any) -> Iterator[Any]:
    """``utility`` of GridOperatorMSP (Fabric CA attribute ``gridledger.role=utility``)."""
    with profile.connect(OPERATOR, user="utility") as gateway:
        yield gateway


@pytest.fixture(scope="session")
def operator_network(operator_gateway: Any, test_network: TestNetwork) -> Any:
    return operator_gateway.network(test_network.channel)


@pytest.fixture(scope="session")
def prosumer_network(prosumer_gateway: Any, test_network: TestNetwork) -> Any:
    return prosumer_gateway.network(test_network.channel)


@pytest.fixture
def kv(operator_network: Any, test_network: TestNetwork) -> Any:
    """The ``kv`` contract of our Python chaincode, as GridOperatorMSP's User1."""
    return operator_network.contract(test_network.chaincode, "kv")


@pytest.fixture
def unique_key(request: pytest.FixtureRequest) -> str:
    """A key prefix no other test (or earlier session on the same ledger) uses."""
    return f"{request.node.name[:40]}-{uuid.uuid4().hex[:10]}-"
