"""Raw bytes and raw gRPC calls against a devnet peer port or a chaincode server port."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc

HANG_GUARD_SECONDS = 10.0


def send_raw(port: int, data: bytes) -> None:
    """Open a TCP connection, write ``data``, read whatever comes back until the peer closes."""
    address = ("127.0.0.1", port)
    with (
        socket.create_connection(address, timeout=HANG_GUARD_SECONDS) as sock,
        contextlib.suppress(OSError),
    ):
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(65536):
            pass


@contextlib.contextmanager
def tls_channel(
    port: int,
    root_cert: Path,
    host: str | None = None,
    client_cert: Path | None = None,
    client_key: Path | None = None,
) -> Iterator[Any]:
    credentials = grpc.ssl_channel_credentials(
        root_certificates=root_cert.read_bytes(),
        private_key=client_key.read_bytes() if client_key else None,
        certificate_chain=client_cert.read_bytes() if client_cert else None,
    )
    options = [("grpc.ssl_target_name_override", host)] if host else []
    channel = grpc.secure_channel(f"127.0.0.1:{port}", credentials, options=options)
    try:
        yield channel
    finally:
        channel.close()


def unary_bytes(channel: Any, method: str, payload: bytes) -> grpc.StatusCode:
    """Call a unary method with raw request bytes; the status code it ended with."""
    call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
    try:
        call(payload, timeout=HANG_GUARD_SECONDS)
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def server_stream_bytes(channel: Any, method: str, payload: bytes) -> grpc.StatusCode:
    call = channel.unary_stream(method, request_serializer=None, response_deserializer=None)
    try:
        for _ in call(payload, timeout=1.0):
            pass
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def bidi_bytes(channel: Any, method: str, messages: list[bytes], timeout: float = 2.0) -> Any:
    """Send raw messages on a bidirectional stream; the status code (or OK) it ended with."""
    call = channel.stream_stream(method, request_serializer=None, response_deserializer=None)
    try:
        for _ in call(iter(messages), timeout=timeout):
            pass
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK
