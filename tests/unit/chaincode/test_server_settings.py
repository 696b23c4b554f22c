"""CCaaS settings from the environment, TLS with client certificates, the entry point."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import grpc
import pytest
from chaincode_fake_peer import (
    FakeLedger,
    FakePeer,
    response_of,
    signed_proposal,
    transaction,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from gridledger_chaincode.shim.settings import ServerSettings, SettingsError, TlsSettings
from gridledger_chaincode.testing import make_identity

NOW = datetime.datetime.now(datetime.UTC)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _certificate(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name | None = None,
    issuer_key: ec.EllipticCurvePrivateKey | None = None,
    *,
    ca: bool = False,
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(issuer_key or key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki() -> dict[str, bytes]:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("chaincode-tls-ca", ca_key, ca=True)
    out = {"ca": ca.public_bytes(serialization.Encoding.PEM)}
    for name in ("server", "client"):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(name, key, ca.subject, ca_key)
        out[f"{name}.key"] = _pem_key(key)
        out[f"{name}.crt"] = cert.public_bytes(serialization.Encoding.PEM)
    return out


def test_tls_with_required_client_certificate(
    start_server: Callable, pki: dict[str, bytes]
) -> None:
    tls = TlsSettings(key=pki["server.key"], cert=pki["server.crt"], client_ca_cert=pki["ca"])
    server = start_server(tls=tls)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=pki["ca"],
        private_key=pki["client.key"],
        certificate_chain=pki["client.crt"],
    )
    peer = FakePeer(f"127.0.0.1:{server.port}", credentials)
    try:
        peer.handshake()
        assert response_of(FakeLedger().run(peer, transaction("t1", "kv:Noop"))).status == 200
    finally:
        peer.close()
    anonymous = FakePeer(
        f"127.0.0.1:{server.port}", grpc.ssl_channel_credentials(root_certificates=pki["ca"])
    )
    try:
        assert anonymous.stream_ended()
        assert anonymous.error is not None
    finally:
        anonymous.close()


def test_settings_from_env(tmp_path: Path, pki: dict[str, bytes]) -> None:
    for name in ("server.key", "server.crt", "ca"):
        (tmp_path / name).write_bytes(pki[name])
    settings = ServerSettings.from_env(
        {
            "CHAINCODE_SERVER_ADDRESS": "0.0.0.0:9999",
            "CHAINCODE_ID": "gridledger_1.0:abc",
            "CHAINCODE_TLS_KEY": str(tmp_path / "server.key"),
            "CHAINCODE_TLS_CERT": str(tmp_path / "server.crt"),
            "CHAINCODE_CLIENT_CA_CERT": str(tmp_path / "ca"),
        }
    )
    assert (settings.address, settings.chaincode_id) == ("0.0.0.0:9999", "gridledger_1.0:abc")
    assert settings.tls == TlsSettings(pki["server.key"], pki["server.crt"], pki["ca"])
    plain = ServerSettings.from_env(
        {"CHAINCODE_SERVER_ADDRESS": ":1", "CHAINCODE_ID": "x", "CHAINCODE_TLS_DISABLED": "true"}
    )
    assert plain.tls is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CHAINCODE_ID": "x"}, "CHAINCODE_SERVER_ADDRESS must be set"),
        ({"CHAINCODE_SERVER_ADDRESS": ":1"}, "CHAINCODE_ID must be set"),
        ({"CHAINCODE_SERVER_ADDRESS": ":1", "CHAINCODE_ID": "x"}, "TLS is enabled but"),
        (
            {
                "CHAINCODE_SERVER_ADDRESS": ":1",
                "CHAINCODE_ID": "x",
                "CHAINCODE_TLS_KEY": "/nonexistent/key",
                "CHAINCODE_TLS_CERT": "/nonexistent/cert",
            },
            "CHAINCODE_TLS_KEY: cannot read /nonexistent/key",
        ),
    ],
)
def test_settings_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        ServerSettings.from_env(env)


def test_entry_point_serves_both_contracts() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "CHAINCODE_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "CHAINCODE_ID": "gridledger_1.0:main",
        "CHAINCODE_TLS_DISABLED": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gridledger_chaincode"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        peer = FakePeer(f"127.0.0.1:{port}", wait_for_ready=True)
        try:
            assert peer.handshake() == "gridledger_1.0:main"
            ledger = FakeLedger()
            assert (
                response_of(ledger.run(peer, transaction("t1", "kv:Put", "a", "1"))).status == 200
            )
            proposal = signed_proposal(make_identity(), "t2")
            who = response_of(ledger.run(peer, transaction("t2", "WhoAmI", proposal=proposal)))
            assert who.status == 200  # the default contract, energy, knows the caller
            assert json.loads(who.payload)["msp_id"] == "GridOperatorMSP"
        finally:
            peer.close()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    assert stderr == ""  # quiet by default


def test_entry_point_reports_bad_settings() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINCODE_")}
    done = subprocess.run(
        [sys.executable, "-m", "gridledger_chaincode"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "CHAINCODE_SERVER_ADDRESS must be set" in done.stderr
