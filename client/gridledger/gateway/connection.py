"""gRPC channels to a Gateway peer: TLS with a root certificate, or plaintext for tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from gridledger.fabric.hashing import sha256

MAX_MESSAGE_BYTES = 100 * 1024 * 1024

PemSource = bytes | str | Path


def read_pem(source: PemSource | None) -> bytes | None:
    """PEM bytes from bytes, a PEM string, or a file path."""
    if source is None:
        return None
    if isinstance(source, bytes):
        return source
    if isinstance(source, str) and source.lstrip().startswith("-----BEGIN"):
        return source.encode("ascii")
    return Path(source).read_bytes()


@dataclass(frozen=True)
class Endpoint:
    """Where a Gateway listens and how to reach it."""

    address: str
    tls_root_cert: bytes | None = None  # None: plaintext
    host_override: str | None = None
    client_cert: bytes | None = None  # mutual TLS (optional)
    client_key: bytes | None = None

    def options(self) -> list[tuple[str, Any]]:
        options: list[tuple[str, Any]] = [
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ]
        if self.host_override:
            options.append(("grpc.ssl_target_name_override", self.host_override))
            options.append(("grpc.default_authority", self.host_override))
        return options

    def credentials(self) -> Any:
        return grpc.ssl_channel_credentials(
            root_certificates=self.tls_root_cert,
            private_key=self.client_key,
            certificate_chain=self.client_cert,
        )

    def tls_cert_hash(self) -> bytes:
        """SHA-256 of the client TLS certificate (DER), bound into Deliver requests."""
        if self.client_cert is None:
            return b""
        der = x509.load_pem_x509_certificate(self.client_cert).public_bytes(Encoding.DER)
        return sha256(der)


def open_channel(endpoint: Endpoint) -> Any:
    """A synchronous ``grpc.Channel``."""
    if endpoint.tls_root_cert is None:
        return grpc.insecure_channel(endpoint.address, options=endpoint.options())
    return grpc.secure_channel(endpoint.address, endpoint.credentials(), options=endpoint.options())


def open_aio_channel(endpoint: Endpoint) -> Any:
    """An asyncio ``grpc.aio.Channel``."""
    if endpoint.tls_root_cert is None:
        return grpc.aio.insecure_channel(endpoint.address, options=endpoint.options())
    return grpc.aio.secure_channel(
        endpoint.address, endpoint.credentials(), options=endpoint.options()
    )
