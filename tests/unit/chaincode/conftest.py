"""Chaincode unit tests: make the fake peer in this folder importable, start chaincode servers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from chaincode_fake_peer import CHAINCODE_ID, FakePeer
from gridledger_chaincode.contracts import build_chaincode
from gridledger_chaincode.shim.interface import Chaincode
from gridledger_chaincode.shim.messages import PeerCapabilities
from gridledger_chaincode.shim.server import ChaincodeServer
from gridledger_chaincode.shim.settings import ServerSettings


@pytest.fixture
def start_server() -> Iterator[Callable[..., ChaincodeServer]]:
    servers: list[ChaincodeServer] = []

    def start(chaincode: Chaincode | None = None, **settings: object) -> ChaincodeServer:
        config = ServerSettings(
            address="127.0.0.1:0",
            chaincode_id=CHAINCODE_ID,
            **settings,  # type: ignore[arg-type]
        )
        server = ChaincodeServer(chaincode or build_chaincode(), config)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop(grace=None)


@pytest.fixture
def connect_peer(
    start_server: Callable[..., ChaincodeServer],
) -> Iterator[Callable[..., FakePeer]]:
    """Start a chaincode server and dial it as a peer does: REGISTER, REGISTERED, READY."""
    peers: list[FakePeer] = []

    def connect(
        chaincode: Chaincode | None = None,
        capabilities: PeerCapabilities | None = None,
    ) -> FakePeer:
        server = start_server(chaincode)
        peer = FakePeer(f"127.0.0.1:{server.port}")
        peers.append(peer)
        peer.handshake(capabilities)
        return peer

    yield connect
    for peer in peers:
        peer.close()
