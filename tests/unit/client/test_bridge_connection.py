"""The bridge's first connection: its CONNECT packet and its TLS context's clear refusals."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from gridledger.bridge.connection import (
    BrokerRefused,
    BrokerUnreachable,
    check_broker,
    connect_packet,
    tls_context,
)


def test_the_connect_packet_is_mqtt_3_1_1_with_a_clean_session() -> None:
    assert connect_packet("c", None, None) == (b"\x10\x0d\x00\x04MQTT\x04\x02\x00\x1e\x00\x01c")
    packet = connect_packet("c", "u", "p")
    assert packet[9] == 0xC2  # user name, password, clean session
    assert packet.endswith(b"\x00\x01c\x00\x01u\x00\x01p")
    long = connect_packet("c" * 200, None, None)
    assert long[1:3] == bytes([(212 % 128) | 0x80, 212 // 128])  # two-byte remaining length


def test_no_tls_without_a_ca_or_certificate() -> None:
    assert tls_context(None) is None


def test_a_certificate_without_its_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BrokerRefused, match="needs both --cert and --key"):
        tls_context(None, tmp_path / "bridge.pem")


def test_an_unreadable_ca_or_certificate_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        BrokerRefused, match=re.escape(f"cannot read the broker's CA {tmp_path}/ca.pem")
    ):
        tls_context(tmp_path / "ca.pem")
    (tmp_path / "bridge.pem").write_text("not a certificate")
    with pytest.raises(BrokerRefused, match=r"cannot load the client certificate .*bridge\.pem"):
        tls_context(None, tmp_path / "bridge.pem", tmp_path / "bridge.key")


def test_a_broker_not_listening_is_unreachable_not_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: the connection is refused
        with pytest.raises(BrokerUnreachable, match=f"cannot reach the broker 127.0.0.1:{port}"):
            check_broker("127.0.0.1", port, None, timeout=5)
