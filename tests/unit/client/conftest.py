from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from client_fake_gateway import FakeServer, start_fake
from client_pki import CertificateAuthority, write_msp
from gridledger.fabric import Identity, Signer, load_msp
from gridledger.gateway import Gateway, connect


@pytest.fixture(scope="session")
def org_ca() -> CertificateAuthority:
    return CertificateAuthority.create("ca.gridoperator.gridledger.local")


@pytest.fixture(scope="session")
def user_msp(tmp_path_factory: pytest.TempPathFactory, org_ca: CertificateAuthority) -> Path:
    folder = tmp_path_factory.mktemp("msp") / "User1@gridoperator.gridledger.local" / "msp"
    write_msp(folder, org_ca, "User1@gridoperator.gridledger.local", ou="client")
    return folder


@pytest.fixture(scope="session")
def user(user_msp: Path) -> tuple[Identity, Signer]:
    return load_msp(user_msp, "GridOperatorMSP")


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeServer]:
    server = start_fake()
    yield server
    server.stop()


@pytest.fixture
def gateway(fake_server: FakeServer, user: tuple[Identity, Signer]) -> Iterator[Gateway]:
    identity, signer = user
    with connect(fake_server.address, identity=identity, signer=signer) as gw:
        yield gw
