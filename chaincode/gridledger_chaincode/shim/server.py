"""The CCaaS gRPC server: serves `protos.Chaincode/Connect`; the peer dials in, we REGISTER.

Each stream is served by one of gRPC's threads, which iterates the handler's outgoing messages;
the handler receives, and runs the stream's transactions (in greenlets), on that same thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
from fabric_protos.peer import chaincode_shim_pb2

from gridledger_chaincode.shim.handler import ChaincodeHandler
from gridledger_chaincode.shim.interface import Chaincode
from gridledger_chaincode.shim.settings import ServerSettings

logger = logging.getLogger(__name__)

SERVICE_NAME = "protos.Chaincode"
MAX_MESSAGE_BYTES = 100 * 1024 * 1024
MAX_STREAMS = 32

_SERVER_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    # Peers ping every minute (Fabric's client keepalive); never answer that with GOAWAY.
    ("grpc.keepalive_time_ms", 60_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_recv_ping_interval_without_data_ms", 10_000),
    ("grpc.http2.max_ping_strikes", 0),
]


class ChaincodeServer:
    """Serves one chaincode to any number of peer streams."""

    def __init__(self, chaincode: Chaincode, settings: ServerSettings) -> None:
        self._chaincode = chaincode
        self._settings = settings
        self._server: Any = grpc.server(
            ThreadPoolExecutor(max_workers=MAX_STREAMS, thread_name_prefix="chaincode-stream"),
            options=_SERVER_OPTIONS,
            maximum_concurrent_rpcs=MAX_STREAMS,
        )
        handler = grpc.method_handlers_generic_handler(
            SERVICE_NAME,
            {
                "Connect": grpc.stream_stream_rpc_method_handler(
                    self._connect,
                    request_deserializer=chaincode_shim_pb2.ChaincodeMessage.FromString,
                    response_serializer=chaincode_shim_pb2.ChaincodeMessage.SerializeToString,
                )
            },
        )
        self._server.add_generic_rpc_handlers((handler,))
        self.port = self._bind(settings)
        self._streams: set[ChaincodeHandler] = set()
        self._lock = threading.Lock()

    def _bind(self, settings: ServerSettings) -> int:
        tls = settings.tls
        try:
            if tls is None:
                port: int = self._server.add_insecure_port(settings.address)
            else:
                credentials = grpc.ssl_server_credentials(
                    [(tls.key, tls.cert)],
                    root_certificates=tls.client_ca_cert,
                    require_client_auth=tls.client_ca_cert is not None,
                )
                port = self._server.add_secure_port(settings.address, credentials)
        except RuntimeError as exc:
            raise OSError(f"cannot listen on {settings.address}: {exc}") from exc
        if port == 0:
            raise OSError(f"cannot listen on {settings.address} (address in use?)")
        return port

    def start(self) -> None:
        self._server.start()
        logger.info(
            "chaincode %s listening on %s (%s)",
            self._settings.chaincode_id,
            self._settings.address,
            "TLS" if self._settings.tls else "plaintext",
        )

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server stops (True) or the timeout passes (False)."""
        return bool(self._server.wait_for_termination(timeout))

    def stop(self, grace: float | None = None) -> None:
        self._server.stop(grace).wait()

    @property
    def open_streams(self) -> int:
        with self._lock:
            return len(self._streams)

    @property
    def in_flight(self) -> int:
        """Transactions still running on any stream (0 once every one has answered or ended,
        including those the peer already gave up on after its execute timeout)."""
        with self._lock:
            return sum(stream.in_flight for stream in self._streams)

    # -- one Connect stream -------------------------------------------------------------------
    def _connect(self, requests: Iterator[Any], context: Any) -> Iterator[Any]:
        handler = ChaincodeHandler(self._chaincode, self._settings.chaincode_id)
        peer = context.peer()
        logger.info("peer %s connected", peer)
        with self._lock:
            self._streams.add(handler)
        try:
            yield from handler.run(_receiver(requests))
        finally:
            with self._lock:
                self._streams.discard(handler)
            logger.info("peer %s disconnected", peer)


def _receiver(requests: Iterator[Any]) -> Callable[[], Any | None]:
    def receive() -> Any | None:
        try:
            return next(requests)
        except StopIteration:
            return None
        except grpc.RpcError as exc:
            logger.debug("stream from peer ended: %s", exc)
            return None

    return receive
