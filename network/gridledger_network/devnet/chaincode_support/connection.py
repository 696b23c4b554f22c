"""One peer's connection to one CCaaS chaincode server: dial, register, reconnect with backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import grpc
from fabric_protos.peer import chaincode_pb2, chaincode_shim_pb2, chaincode_shim_pb2_grpc

from gridledger_network.devnet.chaincode_support.definitions import ChaincodeDefinition
from gridledger_network.devnet.chaincode_support.errors import ChaincodeUnavailable
from gridledger_network.devnet.chaincode_support.handler import (
    ChaincodeHandler,
    Invoker,
    ready_message,
)

logger = logging.getLogger(__name__)

Msg = chaincode_shim_pb2.ChaincodeMessage
MAX_MESSAGE_BYTES = 100 * 1024 * 1024
REGISTER_TIMEOUT = 5.0
BACKOFF_INITIAL = 0.05
BACKOFF_MAX = 2.0


def chaincode_name_matches(registered: str, name: str) -> bool:
    """CCaaS servers register with a package id such as ``gridledger_1.0:<hash>``."""
    return name in (registered, registered.split(":")[0], registered.split("_")[0])


class ChaincodeConnection:
    def __init__(self, definition: ChaincodeDefinition, peer_msp_id: str, invoker: Invoker) -> None:
        self.definition = definition
        self.peer_msp_id = peer_msp_id
        self._invoker = invoker
        self._handler: ChaincodeHandler | None = None
        self._changed = asyncio.Event()
        self._wake = asyncio.Event()
        self._failures = 0
        self._last_error = ""
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def ready(self) -> bool:
        return self._handler is not None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"chaincode {self.definition.name} for {self.peer_msp_id}"
            )

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def unreachable(self) -> ChaincodeUnavailable:
        definition = self.definition
        detail = f" ({self._last_error})" if self._last_error else ""
        return ChaincodeUnavailable(
            f"chaincode {definition.name} at {definition.address} is not reachable{detail}"
        )

    async def handler(self, timeout: float) -> ChaincodeHandler:
        """The registered stream's handler; a fresh dial is tried first if there is none."""
        if self._handler is not None:
            return self._handler
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        failures = self._failures
        self._wake.set()
        while True:
            if self._handler is not None:
                return self._handler
            remaining = deadline - loop.time()
            if self._failures > failures or remaining <= 0:
                raise self.unreachable()
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _run(self) -> None:
        backoff = BACKOFF_INITIAL
        while not self._stopping:
            self._wake.clear()
            registered = False
            try:
                registered = await self._connect_once()
            except asyncio.CancelledError:
                raise
            except grpc.aio.AioRpcError as err:
                self._last_error = err.details() or err.code().name
            except Exception as err:
                self._last_error = str(err)
            if registered:
                backoff = BACKOFF_INITIAL
                logger.info(
                    "chaincode %s stream for %s ended", self.definition.name, self.peer_msp_id
                )
            else:
                self._failures += 1
                logger.debug(
                    "chaincode %s at %s not reachable for %s: %s",
                    self.definition.name,
                    self.definition.address,
                    self.peer_msp_id,
                    self._last_error,
                )
            self._notify()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)

    def _channel(self) -> grpc.aio.Channel:
        options = [
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.enable_retries", 0),
        ]
        tls = self.definition.tls
        if tls is None:
            return grpc.aio.insecure_channel(self.definition.address, options=options)
        credentials = grpc.ssl_channel_credentials(
            root_certificates=tls.root_cert,
            private_key=tls.client_key,
            certificate_chain=tls.client_cert,
        )
        return grpc.aio.secure_channel(self.definition.address, credentials, options=options)

    async def _connect_once(self) -> bool:
        """Dial, register, serve until the stream ends. True if registration succeeded."""
        outbox: asyncio.Queue[Any] = asyncio.Queue()
        channel = self._channel()
        handler: ChaincodeHandler | None = None
        writer: asyncio.Task[None] | None = None
        try:
            stub = chaincode_shim_pb2_grpc.ChaincodeStub(channel)
            call = stub.Connect()
            writer = asyncio.get_running_loop().create_task(_write_all(call, outbox))
            first = await asyncio.wait_for(call.read(), REGISTER_TIMEOUT)
            if first is grpc.aio.EOF or first.type != Msg.REGISTER:
                raise ConnectionError("chaincode did not send REGISTER")
            chaincode_id = chaincode_pb2.ChaincodeID.FromString(first.payload)
            if not chaincode_name_matches(chaincode_id.name, self.definition.name):
                logger.warning(
                    "chaincode at %s registered as %r, serving it as %s",
                    self.definition.address,
                    chaincode_id.name,
                    self.definition.name,
                )
            handler = ChaincodeHandler(self.definition.name, outbox.put_nowait, self._invoker)
            outbox.put_nowait(Msg(type=Msg.REGISTERED))
            outbox.put_nowait(ready_message())
            self._handler = handler
            self._last_error = ""
            self._notify()
            logger.info(
                "chaincode %s registered on %s's peer (%s)",
                self.definition.name,
                self.peer_msp_id,
                chaincode_id.name,
            )
            while True:
                message = await call.read()
                if message is grpc.aio.EOF:
                    break
                handler.handle(message)
        except grpc.aio.AioRpcError as err:
            if handler is None:
                raise
            logger.info("chaincode %s stream error: %s", self.definition.name, err.details())
        finally:
            self._handler = None
            if handler is not None:
                handler.close()
            if writer is not None:
                writer.cancel()
                await asyncio.gather(writer, return_exceptions=True)
            await channel.close(grace=None)
        return handler is not None


async def _write_all(call: Any, outbox: asyncio.Queue[Any]) -> None:
    """Write the outbox's messages to the stream in order (with ``call.write``: no request
    iterator in between) until the stream ends or the task is cancelled."""
    try:
        while True:
            await call.write(await outbox.get())
    except (grpc.aio.AioRpcError, asyncio.InvalidStateError):
        return  # the stream ended; the reading side sees why
    except Exception:  # as grpc does for a failing request iterator: end the stream
        logger.exception("writing to the chaincode stream failed")
        call.cancel()
