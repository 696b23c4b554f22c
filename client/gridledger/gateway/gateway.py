"""What both gateway flavours share: identity, channel ownership, and how ``connect`` (and
``aconnect``) turn their arguments into an endpoint and a client context."""

from __future__ import annotations

from typing import Any

from gridledger.fabric.identity import Identity
from gridledger.gateway.connection import Endpoint, PemSource, read_pem
from gridledger.gateway.context import ClientContext
from gridledger.gateway.signing import Hash, Sign, SigningIdentity
from gridledger.gateway.timeouts import DEFAULT_TIMEOUTS, Timeouts


class GatewayBase:
    """A connection to a Gateway peer, sync or asyncio."""

    def __init__(self, channel: Any, context: ClientContext, owns_channel: bool) -> None:
        self._channel = channel
        self._context = context
        self._owns_channel = owns_channel
        self._closed = False

    @property
    def identity(self) -> Identity:
        return self._context.signing.identity

    @property
    def grpc_channel(self) -> Any:
        return self._channel


def client_context(
    identity: Identity,
    signer: Sign | None,
    hash: Hash,
    timeouts: Timeouts | None,
    endpoint: Endpoint | None,
) -> ClientContext:
    return ClientContext(
        signing=SigningIdentity(identity, signer, hash),
        timeouts=timeouts or DEFAULT_TIMEOUTS,
        tls_cert_hash=endpoint.tls_cert_hash() if endpoint is not None else b"",
    )


def endpoint_of(
    address: str | None,
    tls_root_cert: PemSource | None,
    host_override: str | None,
    client_cert: PemSource | None,
    client_key: PemSource | None,
) -> Endpoint:
    if address is None:
        raise ValueError("connect needs an endpoint address (host:port) or a grpc channel")
    return Endpoint(
        address=address,
        tls_root_cert=read_pem(tls_root_cert),
        host_override=host_override,
        client_cert=read_pem(client_cert),
        client_key=read_pem(client_key),
    )
