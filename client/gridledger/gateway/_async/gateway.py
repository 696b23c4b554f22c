"""The gateway connection: networks, offline-signed messages, and ``aconnect``."""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

from gridledger.fabric.hashing import sha256
from gridledger.fabric.identity import Identity
from gridledger.gateway import requests
from gridledger.gateway._async.block_events import AsyncBlockEventsRequest
from gridledger.gateway._async.chaincode_events import AsyncChaincodeEventsRequest
from gridledger.gateway._async.closing import AsyncClosing
from gridledger.gateway._async.commit import AsyncSubmittedTransaction
from gridledger.gateway._async.network import AsyncNetwork
from gridledger.gateway._async.proposal import AsyncProposal
from gridledger.gateway._async.transaction import AsyncTransaction
from gridledger.gateway.connection import PemSource, open_aio_channel
from gridledger.gateway.context import ClientContext
from gridledger.gateway.gateway import GatewayBase, client_context, endpoint_of
from gridledger.gateway.signable import with_signature
from gridledger.gateway.signing import Hash, Sign
from gridledger.gateway.timeouts import Timeouts
from gridledger.gateway.transport import AsyncTransport, DeliverKind

logger = logging.getLogger(__name__)


class AsyncGateway(GatewayBase, AsyncClosing):
    """A connection to a Fabric Gateway peer: use it as a context manager, or ``close()`` it."""

    def __init__(self, channel: Any, context: ClientContext, owns_channel: bool = True) -> None:
        super().__init__(channel, context, owns_channel)
        self._transport = AsyncTransport(channel)

    def network(self, name: str) -> AsyncNetwork:
        return AsyncNetwork(self._transport, self._context, name)

    # -- messages signed elsewhere (offline signing) --------------------------------------

    def new_proposal(self, data: bytes) -> AsyncProposal:
        proposed, channel = requests.parse_proposed_transaction(data)
        return AsyncProposal(self._transport, self._context, channel, proposed)

    def new_signed_proposal(self, data: bytes, signature: bytes) -> AsyncProposal:
        return with_signature(self.new_proposal(data), signature)

    def new_transaction(self, data: bytes) -> AsyncTransaction:
        prepared = requests.parse_prepared_transaction(data)
        return AsyncTransaction(self._transport, self._context, prepared)

    def new_signed_transaction(self, data: bytes, signature: bytes) -> AsyncTransaction:
        return with_signature(self.new_transaction(data), signature)

    def new_commit(self, data: bytes) -> AsyncSubmittedTransaction:
        signed, transaction_id = requests.parse_commit_status_request(data)
        return AsyncSubmittedTransaction(self._transport, self._context, transaction_id, signed)

    def new_signed_commit(self, data: bytes, signature: bytes) -> AsyncSubmittedTransaction:
        return with_signature(self.new_commit(data), signature)

    def new_chaincode_events_request(self, data: bytes) -> AsyncChaincodeEventsRequest:
        signed = requests.parse_chaincode_events_request(data)
        return AsyncChaincodeEventsRequest(self._transport, self._context, signed)

    def new_signed_chaincode_events_request(
        self, data: bytes, signature: bytes
    ) -> AsyncChaincodeEventsRequest:
        return with_signature(self.new_chaincode_events_request(data), signature)

    def new_block_events_request(
        self, data: bytes, kind: DeliverKind = DeliverKind.BLOCK
    ) -> AsyncBlockEventsRequest:
        envelope = requests.parse_envelope(data)
        return AsyncBlockEventsRequest(self._transport, self._context, kind, envelope)

    def new_signed_block_events_request(
        self, data: bytes, signature: bytes, kind: DeliverKind = DeliverKind.BLOCK
    ) -> AsyncBlockEventsRequest:
        return with_signature(self.new_block_events_request(data, kind), signature)

    # -- lifetime ---------------------------------------------------------------------------

    async def close(self) -> None:
        """Close open event streams and, if this gateway opened it, the gRPC channel."""
        if self._closed:
            return
        self._closed = True
        self._context.streams.close_all()
        if self._owns_channel:
            await self._transport.close()

    # unasync: async only
    def __await__(self) -> Generator[Any, None, AsyncGateway]:
        async def ready() -> AsyncGateway:
            return self

        return ready().__await__()

    # unasync: end


def aconnect(
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
    """Connect to a Gateway peer at ``endpoint`` ("host:port").

    ``tls_root_cert`` (PEM bytes, PEM string or file path) turns TLS on; without it the
    connection is plaintext (tests). ``signer=None`` means offline signing. Pass ``channel``
    to share an existing gRPC channel (it is then not closed with the gateway).
    """
    if channel is not None:
        return AsyncGateway(channel, client_context(identity, signer, hash, timeouts, None), False)
    target = endpoint_of(endpoint, tls_root_cert, host_override, client_cert, client_key)
    logger.debug(
        "connecting to gateway %s (tls=%s)", target.address, target.tls_root_cert is not None
    )
    context = client_context(identity, signer, hash, timeouts, target)
    return AsyncGateway(open_aio_channel(target), context, True)
