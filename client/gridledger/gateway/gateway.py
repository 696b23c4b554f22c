"""The gateway connection: networks, offline-signed messages, and ``connect``."""

from __future__ import annotations

import logging
from collections.abc import Generator
from types import TracebackType
from typing import Any

from gridledger.fabric.hashing import sha256
from gridledger.fabric.identity import Identity
from gridledger.gateway import requests
from gridledger.gateway.block_events import AsyncBlockEventsRequest, BlockEventsRequest
from gridledger.gateway.chaincode_events import (
    AsyncChaincodeEventsRequest,
    ChaincodeEventsRequest,
)
from gridledger.gateway.commit import AsyncSubmittedTransaction, SubmittedTransaction
from gridledger.gateway.connection import (
    Endpoint,
    PemSource,
    open_aio_channel,
    open_channel,
    read_pem,
)
from gridledger.gateway.context import ClientContext
from gridledger.gateway.network import AsyncNetwork, Network
from gridledger.gateway.proposal import AsyncProposal, Proposal
from gridledger.gateway.signing import Hash, Sign, SigningIdentity
from gridledger.gateway.timeouts import DEFAULT_TIMEOUTS, Timeouts
from gridledger.gateway.transaction import AsyncTransaction, Transaction
from gridledger.gateway.transport import AsyncTransport, DeliverKind, Transport

logger = logging.getLogger(__name__)


class _GatewayBase:
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


class Gateway(_GatewayBase):
    """A synchronous connection to a Fabric Gateway peer (use as a context manager)."""

    def __init__(self, channel: Any, context: ClientContext, owns_channel: bool = True) -> None:
        super().__init__(channel, context, owns_channel)
        self._transport = Transport(channel)

    def network(self, name: str) -> Network:
        return Network(self._transport, self._context, name)

    # -- messages signed elsewhere (offline signing) --------------------------------------

    def new_proposal(self, data: bytes) -> Proposal:
        proposed, channel = requests.parse_proposed_transaction(data)
        return Proposal(self._transport, self._context, channel, proposed)

    def new_signed_proposal(self, data: bytes, signature: bytes) -> Proposal:
        proposal = self.new_proposal(data)
        proposal._set_signature(signature)
        return proposal

    def new_transaction(self, data: bytes) -> Transaction:
        prepared = requests.parse_prepared_transaction(data)
        return Transaction(self._transport, self._context, prepared)

    def new_signed_transaction(self, data: bytes, signature: bytes) -> Transaction:
        transaction = self.new_transaction(data)
        transaction._set_signature(signature)
        return transaction

    def new_commit(self, data: bytes) -> SubmittedTransaction:
        signed, transaction_id = requests.parse_commit_status_request(data)
        return SubmittedTransaction(self._transport, self._context, transaction_id, signed)

    def new_signed_commit(self, data: bytes, signature: bytes) -> SubmittedTransaction:
        commit = self.new_commit(data)
        commit._set_signature(signature)
        return commit

    def new_chaincode_events_request(self, data: bytes) -> ChaincodeEventsRequest:
        signed = requests.parse_chaincode_events_request(data)
        return ChaincodeEventsRequest(self._transport, self._context, signed)

    def new_signed_chaincode_events_request(
        self, data: bytes, signature: bytes
    ) -> ChaincodeEventsRequest:
        request = self.new_chaincode_events_request(data)
        request._set_signature(signature)
        return request

    def new_block_events_request(
        self, data: bytes, kind: DeliverKind = DeliverKind.BLOCK
    ) -> BlockEventsRequest:
        envelope = requests.parse_envelope(data)
        return BlockEventsRequest(self._transport, self._context, kind, envelope)

    def new_signed_block_events_request(
        self, data: bytes, signature: bytes, kind: DeliverKind = DeliverKind.BLOCK
    ) -> BlockEventsRequest:
        request = self.new_block_events_request(data, kind)
        request._set_signature(signature)
        return request

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close open event streams and, if this gateway opened it, the gRPC channel."""
        if self._closed:
            return
        self._closed = True
        self._context.streams.close_all()
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> Gateway:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncGateway(_GatewayBase):
    """An asyncio connection (``async with``, or ``await`` it, then ``await close()``)."""

    def __init__(self, channel: Any, context: ClientContext, owns_channel: bool = True) -> None:
        super().__init__(channel, context, owns_channel)
        self._transport = AsyncTransport(channel)

    def network(self, name: str) -> AsyncNetwork:
        return AsyncNetwork(self._transport, self._context, name)

    def new_proposal(self, data: bytes) -> AsyncProposal:
        proposed, channel = requests.parse_proposed_transaction(data)
        return AsyncProposal(self._transport, self._context, channel, proposed)

    def new_signed_proposal(self, data: bytes, signature: bytes) -> AsyncProposal:
        proposal = self.new_proposal(data)
        proposal._set_signature(signature)
        return proposal

    def new_transaction(self, data: bytes) -> AsyncTransaction:
        prepared = requests.parse_prepared_transaction(data)
        return AsyncTransaction(self._transport, self._context, prepared)

    def new_signed_transaction(self, data: bytes, signature: bytes) -> AsyncTransaction:
        transaction = self.new_transaction(data)
        transaction._set_signature(signature)
        return transaction

    def new_commit(self, data: bytes) -> AsyncSubmittedTransaction:
        signed, transaction_id = requests.parse_commit_status_request(data)
        return AsyncSubmittedTransaction(self._transport, self._context, transaction_id, signed)

    def new_signed_commit(self, data: bytes, signature: bytes) -> AsyncSubmittedTransaction:
        commit = self.new_commit(data)
        commit._set_signature(signature)
        return commit

    def new_chaincode_events_request(self, data: bytes) -> AsyncChaincodeEventsRequest:
        signed = requests.parse_chaincode_events_request(data)
        return AsyncChaincodeEventsRequest(self._transport, self._context, signed)

    def new_signed_chaincode_events_request(
        self, data: bytes, signature: bytes
    ) -> AsyncChaincodeEventsRequest:
        request = self.new_chaincode_events_request(data)
        request._set_signature(signature)
        return request

    def new_block_events_request(
        self, data: bytes, kind: DeliverKind = DeliverKind.BLOCK
    ) -> AsyncBlockEventsRequest:
        envelope = requests.parse_envelope(data)
        return AsyncBlockEventsRequest(self._transport, self._context, kind, envelope)

    def new_signed_block_events_request(
        self, data: bytes, signature: bytes, kind: DeliverKind = DeliverKind.BLOCK
    ) -> AsyncBlockEventsRequest:
        request = self.new_block_events_request(data, kind)
        request._set_signature(signature)
        return request

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._context.streams.close_all()
        if self._owns_channel:
            await self._channel.close()

    def __await__(self) -> Generator[Any, None, AsyncGateway]:
        async def ready() -> AsyncGateway:
            return self

        return ready().__await__()

    async def __aenter__(self) -> AsyncGateway:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


def _context(
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


def _endpoint(
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


def connect(
    endpoint: str | None = None,
    *,
    identity: Identity,
    signer: Sign | None = None,
    tls_root_cert: PemSource | None = None,
    host_override: str | None = None,
    timeouts: Timeouts | None = None,
    client_cert: PemSource | None = None,
    client_key: PemSource | None = None,
    channel: Any = None,
    hash: Hash = sha256,
) -> Gateway:
    """Connect to a Gateway peer at ``endpoint`` ("host:port").

    ``tls_root_cert`` (PEM bytes, PEM string or file path) turns TLS on; without it the
    connection is plaintext (tests). ``signer=None`` means offline signing. Pass ``channel``
    to share an existing ``grpc.Channel`` (it is then not closed with the gateway).
    """
    if channel is not None:
        return Gateway(channel, _context(identity, signer, hash, timeouts, None), False)
    target = _endpoint(endpoint, tls_root_cert, host_override, client_cert, client_key)
    logger.debug(
        "connecting to gateway %s (tls=%s)", target.address, target.tls_root_cert is not None
    )
    context = _context(identity, signer, hash, timeouts, target)
    return Gateway(open_channel(target), context, True)


def connect_async(
    endpoint: str | None = None,
    *,
    identity: Identity,
    signer: Sign | None = None,
    tls_root_cert: PemSource | None = None,
    host_override: str | None = None,
    timeouts: Timeouts | None = None,
    client_cert: PemSource | None = None,
    client_key: PemSource | None = None,
    channel: Any = None,
    hash: Hash = sha256,
) -> AsyncGateway:
    """Like ``connect`` with a ``grpc.aio`` channel; call it from a running event loop."""
    if channel is not None:
        return AsyncGateway(channel, _context(identity, signer, hash, timeouts, None), False)
    target = _endpoint(endpoint, tls_root_cert, host_override, client_cert, client_key)
    context = _context(identity, signer, hash, timeouts, target)
    return AsyncGateway(open_aio_channel(target), context, True)
