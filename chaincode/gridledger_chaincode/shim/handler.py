"""The shim side of one chaincode stream: a small state machine plus transaction dispatch.

created --REGISTERED--> established --READY--> ready. In `ready`, INIT and TRANSACTION messages
start a transaction (many run at once, keyed by channel id + tx id); RESPONSE and ERROR messages
are handed to the transaction waiting for them. KEEPALIVE is echoed in any state. The handler
does no I/O itself: `run` is given a `receive` function and yields the messages to send, so the
gRPC server (or a test) owns the stream.

One thread does all of a stream's work: the one iterating `run` (gRPC's, which sends what it
yields). Each transaction runs in its own greenlet on that thread. When it asks the peer something,
it queues the request and switches back to the stream loop, which sends it, receives the next
messages and switches into the transaction each answer is for. No message crosses a thread (each
hand-off costs a wakeup and a GIL transfer, about as much as grpcio's own work per message, see
bench/shim_cost.py).

The price, as in Hyperledger's Node shim: contract code runs on the stream's thread between its
requests, so contract code that blocks (sleeps, waits on I/O) holds up the other transactions of
its stream until it returns; the peer times the transaction out meanwhile. The handler logs a
warning when one transaction keeps the stream longer than `SLOW_TRANSACTION_SECONDS`.
"""

from __future__ import annotations

import enum
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from greenlet import GreenletExit, getcurrent, greenlet

from gridledger_chaincode.shim import messages
from gridledger_chaincode.shim.errors import ChaincodeStubError
from gridledger_chaincode.shim.interface import Chaincode
from gridledger_chaincode.shim.messages import PeerCapabilities
from gridledger_chaincode.shim.stub import ChaincodeStub
from gridledger_chaincode.shim.types import ChaincodeResponse

logger = logging.getLogger(__name__)

Receive = Callable[[], Any | None]  # the next message from the peer; None once the stream ended
SLOW_TRANSACTION_SECONDS = 1.0


class HandlerState(enum.Enum):
    CREATED = "created"
    ESTABLISHED = "established"
    READY = "ready"
    CLOSED = "closed"


def error_text(exc: BaseException) -> str:
    """The message an exception gives the peer: its text, or its type if it has none."""
    text = str(exc)
    return text if text else type(exc).__name__


class TransactionExchange:
    """One transaction's request/response channel over the shared stream."""

    __slots__ = ("_handler", "channel_id", "task", "tx_id", "waiting")

    def __init__(self, handler: ChaincodeHandler, channel_id: str, tx_id: str) -> None:
        self._handler = handler
        self.channel_id = channel_id
        self.tx_id = tx_id
        self.task: greenlet | None = None  # the greenlet the transaction runs in
        self.waiting = False  # it asked the peer and waits for the answer

    @property
    def capabilities(self) -> PeerCapabilities:
        return self._handler.capabilities

    def call(self, message_type: int, payload: bytes) -> bytes:
        handler = self._handler
        if getcurrent() is not self.task:
            raise ChaincodeStubError(
                f"[{self.tx_id[:8]}] the stub was called outside its transaction; contract code "
                "must call it from the thread that runs the transaction"
            )
        handler.send(messages.new_message(message_type, self.tx_id, self.channel_id, payload))
        self.waiting = True
        reply = handler.switch_to_stream()
        if reply is None:
            raise ChaincodeStubError("the stream to the peer closed before it answered")
        reply_type = reply.type
        if reply_type == messages.RESPONSE:
            data: bytes = reply.payload
            return data
        if reply_type == messages.ERROR:
            raise ChaincodeStubError(bytes(reply.payload).decode("utf-8", "replace"))
        raise ChaincodeStubError(
            f"[{self.tx_id[:8]}] incorrect chaincode message {messages.type_name(reply_type)} "
            f"received. Expecting RESPONSE or ERROR"
        )


class ChaincodeHandler:
    """Drives one stream for one chaincode; every method runs on the thread iterating `run`."""

    def __init__(self, chaincode: Chaincode, chaincode_id: str) -> None:
        self._chaincode = chaincode
        self._chaincode_id = chaincode_id
        self._outbox: deque[Any] = deque()
        self._pending: dict[tuple[str, str], TransactionExchange] = {}
        self._stream: greenlet | None = None  # the greenlet iterating `run`
        self.state = HandlerState.CREATED
        self.capabilities = PeerCapabilities()

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    # -- the stream loop ----------------------------------------------------------------------
    def run(self, receive: Receive) -> Iterator[Any]:
        """The messages to send: REGISTER, then whatever the peer's messages lead to.

        Iterating it receives and handles the peer's messages until the stream ends; it must
        be iterated on one thread throughout.
        """
        self._stream = getcurrent()
        outbox = self._outbox
        outbox.append(messages.register_message(self._chaincode_id))
        try:
            while True:
                while outbox:
                    yield outbox.popleft()
                message = receive()
                if message is None or not self.handle_message(message):
                    break
            while outbox:  # a refusal queued just before the end
                yield outbox.popleft()
        finally:
            self.close()

    def switch_to_stream(self) -> Any:
        """From a transaction: let the stream loop run until it brings this one's answer."""
        stream = self._stream
        if stream is None or self.state is HandlerState.CLOSED:
            return None
        return stream.switch()

    def send(self, message: Any) -> None:
        if self.state is HandlerState.CLOSED:
            raise ChaincodeStubError("the stream to the peer is closed")
        self._outbox.append(message)

    def close(self) -> None:
        """The stream is gone: every transaction still waiting for the peer gets None.

        Greenlets are let go here, on the stream's thread: none (nor the thread's main greenlet)
        is left to be freed later by another thread."""
        self.state = HandlerState.CLOSED
        on_stream_thread = self._stream is not None and getcurrent() is self._stream
        for exchange in list(self._pending.values()):
            if on_stream_thread and exchange.waiting and exchange.task is not None:
                self._resume(exchange, None)
        self._stream = None
        self._outbox.clear()

    # -- incoming -----------------------------------------------------------------------------
    def handle_message(self, message: Any) -> bool:
        """Process one message from the peer; False means the stream must end."""
        message_type = message.type
        if message_type == messages.KEEPALIVE:
            self._send_quietly(message)
            return True
        state = self.state
        if state is HandlerState.READY:
            if message_type == messages.RESPONSE or message_type == messages.ERROR:
                self._deliver_reply(message)
                return True
            if message_type == messages.TRANSACTION or message_type == messages.INIT:
                self._start_transaction(message, is_init=message_type == messages.INIT)
                return True
        elif state is HandlerState.ESTABLISHED and message_type == messages.READY:
            self.capabilities = messages.decode_peer_capabilities(message.payload)
            self.state = HandlerState.READY
            logger.debug(
                "chaincode %s ready; peer offers %s", self._chaincode_id, self.capabilities
            )
            return True
        elif state is HandlerState.CREATED and message_type == messages.REGISTERED:
            self.state = HandlerState.ESTABLISHED
            return True
        reason = (
            f"[{message.txid[:8]}] chaincode handler cannot handle message "
            f"({messages.type_name(message_type)}) while in state: {state.value}"
        )
        logger.error(reason)
        self._send_quietly(
            messages.new_message(messages.ERROR, message.txid, message.channel_id, reason.encode())
        )
        return False

    def _deliver_reply(self, message: Any) -> None:
        exchange = self._pending.get((message.channel_id, message.txid))
        if exchange is None or not exchange.waiting:
            logger.warning(
                "[%s] %s for no transaction waiting for one, dropped",
                message.txid[:8],
                messages.type_name(message.type),
            )
            return
        self._resume(exchange, message)

    def _start_transaction(self, message: Any, *, is_init: bool) -> None:
        key = (message.channel_id, message.txid)
        if key in self._pending:
            self._reply_error(message, f"transaction {message.txid} is already running")
            return
        exchange = TransactionExchange(self, message.channel_id, message.txid)
        self._pending[key] = exchange
        exchange.task = greenlet(self._run_transaction)
        self._resume(exchange, message, is_init)

    def _resume(self, exchange: TransactionExchange, *values: Any) -> None:
        """Run the transaction until it asks the peer something or ends."""
        exchange.waiting = False
        started = time.monotonic()
        task = exchange.task
        assert task is not None
        task.switch(*values)
        if task.dead:
            exchange.task = None
        held = time.monotonic() - started
        if held > SLOW_TRANSACTION_SECONDS:
            logger.warning(
                "[%s] transaction kept the stream for %.1f s in contract code; other "
                "transactions of the stream waited (contract code must not block)",
                exchange.tx_id[:8],
                held,
            )

    # -- one transaction, in its greenlet -----------------------------------------------------
    def _run_transaction(self, message: Any, is_init: bool) -> None:
        key = (message.channel_id, message.txid)
        exchange = self._pending[key]
        try:
            reply = self._execute(message, exchange, is_init)
        except GreenletExit:  # the stream is gone and its thread collects the transaction
            return
        except BaseException as exc:
            logger.exception("[%s] transaction failed outside contract code", message.txid[:8])
            reply = messages.new_message(
                messages.ERROR, message.txid, message.channel_id, error_text(exc).encode()
            )
        finally:
            self._pending.pop(key, None)
        self._send_quietly(reply)

    def _execute(self, message: Any, exchange: TransactionExchange, is_init: bool) -> Any:
        args = messages.decode_chaincode_args(message.payload)
        proposal = message.proposal if message.HasField("proposal") else None
        stub = ChaincodeStub(exchange, message.channel_id, message.txid, args, proposal)
        try:
            run = self._chaincode.init if is_init else self._chaincode.invoke
            response = run(stub)
            if not isinstance(response, ChaincodeResponse):
                response = ChaincodeResponse.error(
                    f"chaincode returned {type(response).__name__}, not a ChaincodeResponse"
                )
        except Exception as exc:
            logger.debug("[%s] chaincode raised", message.txid[:8], exc_info=True)
            response = ChaincodeResponse.error(error_text(exc))
        if response.ok:
            try:
                stub.flush_writes()
            except Exception as exc:
                response = ChaincodeResponse.error(f"failed send batch: {error_text(exc)}")
        return messages.completed_message(message.txid, message.channel_id, response, stub.event)

    def _reply_error(self, message: Any, text: str) -> None:
        self._send_quietly(
            messages.new_message(messages.ERROR, message.txid, message.channel_id, text.encode())
        )

    def _send_quietly(self, message: Any) -> None:
        try:
            self.send(message)
        except ChaincodeStubError:
            logger.debug("[%s] stream closed, reply dropped", message.txid[:8])
