"""TLS connections and the devnet connection profile (network.json)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from client_fake_gateway import FakeServer, start_fake
from client_pki import CertificateAuthority, pem_cert, pem_key, write_msp
from gridledger.fabric import load_msp
from gridledger.gateway import EvaluateError, connect
from gridledger.profile import ConnectionProfile, PeersUnreachable, ProfileError

PEER_HOST = "peer0.gridoperator.gridledger.local"


@pytest.fixture(scope="module")
def tls_ca() -> CertificateAuthority:
    return CertificateAuthority.create("tlsca.gridoperator.gridledger.local")


def start_tls_fake(tls_ca: CertificateAuthority, sans: list[str]) -> FakeServer:
    key, cert = tls_ca.issue(PEER_HOST, sans=sans)
    credentials = grpc.ssl_server_credentials([(pem_key(key), pem_cert(cert))])
    return start_fake(credentials)


@pytest.fixture(scope="module")
def tls_server(tls_ca: CertificateAuthority) -> Iterator[FakeServer]:
    server = start_tls_fake(tls_ca, ["localhost", "127.0.0.1", PEER_HOST])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def devnet_home(
    tmp_path_factory: pytest.TempPathFactory,
    tls_ca: CertificateAuthority,
    org_ca: CertificateAuthority,
    tls_server: FakeServer,
) -> Path:
    home = tmp_path_factory.mktemp("devnet")
    org = home / "crypto" / "peerOrganizations" / "gridoperator.gridledger.local"
    (org / "tlsca").mkdir(parents=True)
    tls_ca_file = org / "tlsca" / "tlsca.gridoperator.gridledger.local-cert.pem"
    tls_ca_file.write_bytes(pem_cert(tls_ca.cert))
    users = {}
    for name, ou in (("Admin", "admin"), ("User1", "client")):
        msp = org / "users" / f"{name}@gridoperator.gridledger.local" / "msp"
        write_msp(msp, org_ca, f"{name}@gridoperator.gridledger.local", ou=ou)
        users[name] = str(msp)
    profile = {
        "channel": "energy",
        "pid": 1234,
        "organizations": {
            "GridOperatorMSP": {
                "peer_endpoint": tls_server.address,
                "peer_host": PEER_HOST,
                "tls_ca_cert": str(tls_ca_file),
                "users": users,
            }
        },
        "chaincodes": {"gridledger": {"address": "127.0.0.1:9999", "policy": "AND(...)"}},
    }
    (home / "network.json").write_text(json.dumps(profile))
    return home


def test_profile_reads_devnet_network_json(devnet_home: Path) -> None:
    profile = ConnectionProfile.load(devnet_home / "network.json")
    assert profile.channel == "energy"
    assert profile.pid == 1234
    org = profile.organization("GridOperatorMSP")
    assert org.peer_host == PEER_HOST
    assert set(org.users) == {"Admin", "User1"}
    assert profile.chaincodes["gridledger"]["address"] == "127.0.0.1:9999"
    identity, _ = profile.identity("GridOperatorMSP", "Admin")
    assert identity.node_ou == "admin"
    assert ConnectionProfile.load(devnet_home) == profile  # the home folder works too


def test_profile_connects_over_tls(devnet_home: Path) -> None:
    profile = ConnectionProfile.load(devnet_home / "network.json")
    with profile.connect("GridOperatorMSP", user="Admin") as gateway:
        contract = gateway.network(profile.channel).contract("gridledger")
        assert contract.evaluate("Get", "k") == b"Get|k"
        assert gateway.identity.common_name == "Admin@gridoperator.gridledger.local"


def test_profile_connects_async(devnet_home: Path) -> None:
    profile = ConnectionProfile.load(devnet_home)

    async def main() -> bytes:
        async with profile.aconnect("GridOperatorMSP") as gateway:
            return await gateway.network("energy").contract("gridledger").submit("Put", "k")

    assert asyncio.run(main()) == b"Put|k"


def test_unknown_org_or_user(devnet_home: Path) -> None:
    profile = ConnectionProfile.load(devnet_home)
    with pytest.raises(ProfileError, match="ProsumerMSP"):
        profile.connect("ProsumerMSP")
    with pytest.raises(ProfileError, match="Auditor"):
        profile.connect("GridOperatorMSP", user="Auditor")
    with pytest.raises(ProfileError, match="no connection profile"):
        ConnectionProfile.load(devnet_home / "missing.json")


def test_wrong_tls_root_is_refused(tls_server: FakeServer, user_msp: Path) -> None:
    identity, signer = load_msp(user_msp, "GridOperatorMSP")
    stranger = CertificateAuthority.create("some other CA")
    with connect(
        tls_server.address,
        identity=identity,
        signer=signer,
        tls_root_cert=pem_cert(stranger.cert),
    ) as gateway:
        with pytest.raises(EvaluateError) as caught:
            gateway.network("energy").contract("gridledger").evaluate("Get", timeout=2)
        assert caught.value.grpc_code == grpc.StatusCode.UNAVAILABLE


def test_host_override(tls_ca: CertificateAuthority, user_msp: Path) -> None:
    server = start_tls_fake(tls_ca, [PEER_HOST])  # no IP SAN: only the host name verifies
    try:
        identity, signer = load_msp(user_msp, "GridOperatorMSP")
        with connect(
            server.address,
            identity=identity,
            signer=signer,
            tls_root_cert=pem_cert(tls_ca.cert),
            host_override=PEER_HOST,
        ) as gateway:
            assert gateway.network("energy").contract("cc").evaluate("Get") == b"Get"
    finally:
        server.stop()


@pytest.fixture
def dead_address() -> Iterator[str]:
    """An address that refuses connections: a bound socket that never listens."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{bound.getsockname()[1]}"


def several_peers(devnet_home: Path, peers: list[object]) -> ConnectionProfile:
    document = json.loads((devnet_home / "network.json").read_text())
    document["organizations"]["GridOperatorMSP"]["peer_endpoints"] = peers
    return ConnectionProfile.from_dict(document, devnet_home / "network.json")


def test_profile_fails_over_to_the_next_reachable_peer(
    devnet_home: Path, tls_server: FakeServer, dead_address: str
) -> None:
    profile = several_peers(
        devnet_home, [dead_address, {"endpoint": tls_server.address, "host": PEER_HOST}]
    )
    org = profile.organization("GridOperatorMSP")
    assert [p.endpoint for p in org.peer_addresses] == [dead_address, tls_server.address]
    with profile.connect("GridOperatorMSP") as gateway:
        assert gateway.network("energy").contract("gridledger").evaluate("Get", "k") == b"Get|k"

    async def main() -> bytes:
        async with profile.aconnect("GridOperatorMSP") as gateway:
            return await gateway.network("energy").contract("gridledger").evaluate("Get", "k")

    assert asyncio.run(main()) == b"Get|k"


def test_no_reachable_peer_names_every_endpoint_tried(devnet_home: Path, dead_address: str) -> None:
    profile = several_peers(devnet_home, [dead_address, "127.0.0.1:not-a-port"])
    with pytest.raises(PeersUnreachable) as caught:
        profile.connect("GridOperatorMSP")
    error = caught.value
    assert error.endpoints == [dead_address, "127.0.0.1:not-a-port"]
    assert error.msp_id == "GridOperatorMSP"
    assert error.grpc_code == grpc.StatusCode.UNAVAILABLE
    assert dead_address in str(error) and "not-a-port" in str(error)
    assert [d.address for d in error.details] == error.endpoints
