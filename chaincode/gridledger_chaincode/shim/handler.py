"""The shim side of one chaincode stream: a small state machine plus transaction dispatch.

created --REGISTERED--> established --READY--> ready. In `ready`, INIT and TRANSACTION messages
start a transaction (many run at once, keyed by channel id + tx id); RESPONSE
and ERROR messages are handed to the transaction waiting for them. KEEPALIVE is echoed in any
state. The handler does no I/O itself: it is given a `send` function and a `receive` function, so
the gRPC server (or a test) owns the stream.

Threads: one reader thread per stream (`serve`) receives every message. A TRANSACTION runs
*inline* on that thread, and while it waits for the peer's answer it keeps receiving messages
itself (`pump_until`): its own answer comes back with no thread hand-off, answers for other
transactions are handed to them, and a TRANSACTION arriving meanwhile runs nested on the same
stack. Past `MAX_INLINE_DEPTH` nested transactions, new ones go to the executor's threads and wait
for their answers on a queue that the reader fills. (Each stream message costs grpcio about
75 us of CPU on each side, see bench/grpc_floor.py; every thread hand-off saved counts.)

Reader handover: a monitor thread per stream watches the thread holding the reader role. When it
has been busy in contract code (outside receive()) for `HANDOVER_AFTER_SECONDS` with a transaction
on its stack, the monitor hands the role to a fresh thread that goes on serving the stream, and
turns every exchange on the old holder's stack into a queued one (an answer already received
moves into its queue). The old holder finishes its transactions like a pool thread would; the
thread that called `serve` returns only once the stream has ended. One lock guards the role, the
"inside receive()" flag and every inline/queued switch, so no answer is lost or given twice.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from queue import SimpleQueue
from typing import Any

from gridledger_chaincode.shim import messages
from gridledger_chaincode.shim.errors import ChaincodeStubError
from gridledger_chaincode.shim.interface import Chaincode
from gridledger_chaincode.shim.messages import PeerCapabilities
from gridledger_chaincode.shim.reader_role import ReaderRole
from gridledger_chaincode.shim.stub import ChaincodeStub
from gridledger_chaincode.shim.types import ChaincodeResponse

logger = logging.getLogger(__name__)

Send = Callable[[Any], None]
Receive = Callable[[], Any | None]  # the next message from the peer; None once the stream ended
MAX_INLINE_DEPTH = 16
HANDOVER_AFTER_SECONDS = 0.05  # a reader busy in contract code this long hands its role over


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
    """One transaction's request/response channel over the shared stream.

    An inline exchange (the transaction runs on the reader thread) receives its own answers; a
    pooled one waits on a queue the reader thread fills.
    """

    __slots__ = ("_handler", "channel_id", "closed", "replies", "reply", "role", "tx_id")

    def __init__(
        self, handler: ChaincodeHandler, channel_id: str, tx_id: str, role: ReaderRole | None
    ) -> None:
        self._handler = handler
        self.channel_id = channel_id
        self.tx_id = tx_id
        self.role = role  # the reader role it runs inline under; None: queued
        self.reply: Any = None
        self.closed = False
        self.replies: SimpleQueue[Any] | None = None if role is not None else SimpleQueue()

    @property
    def capabilities(self) -> PeerCapabilities:
        return self._handler.capabilities

    def deliver(self, message: Any) -> None:
        """Hand the peer's answer (or None: the stream closed) to the waiting transaction."""
        with self._handler.lock:
            if self.replies is None:
                if message is None:
                    self.closed = True
                else:
                    self.reply = message
                return
        self.replies.put(message)

    def to_queue(self) -> None:
        """Wait on a queue from now on (handover; the handler's lock is held)."""
        if self.replies is not None:
            return
        replies: SimpleQueue[Any] = SimpleQueue()
        if self.reply is not None:
            replies.put(self.reply)
            self.reply = None
        elif self.closed:
            replies.put(None)
        self.replies = replies
        self.role = None

    def call(self, message_type: int, payload: bytes) -> bytes:
        self._handler.send(messages.new_message(message_type, self.tx_id, self.channel_id, payload))
        replies = self.replies
        reply = replies.get() if replies is not None else self._handler.pump_until(self)
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
    """Drives one stream for one chaincode. `handle_message` is called by one reader thread."""

    def __init__(
        self, chaincode: Chaincode, chaincode_id: str, executor: Executor, send: Send
    ) -> None:
        self._chaincode = chaincode
        self._chaincode_id = chaincode_id
        self._executor = executor
        self._send = send
        self._pending: dict[tuple[str, str], TransactionExchange] = {}
        self._receive: Receive | None = None
        self._ended = False  # the reader saw the end of the stream (or must end it)
        self._stream_done = threading.Event()
        self._on_end: Callable[[], None] | None = None
        self._role: ReaderRole | None = None
        self.lock = threading.Lock()  # guards the reader role and every exchange's mode
        self.state = HandlerState.CREATED
        self.capabilities = PeerCapabilities()

    # -- outgoing -----------------------------------------------------------------------------
    def send(self, message: Any) -> None:
        if self.state is HandlerState.CLOSED:
            raise ChaincodeStubError("the stream to the peer is closed")
        self._send(message)

    def start(self) -> None:
        """Send REGISTER, the first message of the stream."""
        self._send(messages.register_message(self._chaincode_id))

    def close(self) -> None:
        """The stream is gone: wake every transaction still waiting for the peer."""
        self.state = HandlerState.CLOSED
        self._stream_done.set()
        for exchange in list(self._pending.values()):
            exchange.deliver(None)

    # -- the reader thread --------------------------------------------------------------------
    def serve(self, receive: Receive, on_end: Callable[[], None] | None = None) -> None:
        """Receive and handle messages until the stream ends or must end (reader thread).

        ``on_end`` is called by whichever thread sees the end, which after a handover need not
        be this one; this call returns only once the stream has ended.
        """
        self._receive = receive
        self._on_end = on_end
        role = ReaderRole(threading.get_ident())
        with self.lock:
            self._role = role
        monitor = threading.Thread(target=self._monitor, daemon=True, name="chaincode-monitor")
        monitor.start()
        self._serve_as(role)
        self._stream_done.wait()

    def _serve_as(self, role: ReaderRole) -> None:
        """Serve the stream while holding ``role``; return at its end or once the role is lost."""
        if role.thread_id is None:
            with self.lock:
                role.thread_id = threading.get_ident()
        while True:
            with self.lock:
                if role.lost or self._ended:
                    return
                role.receiving = True
            message = self._receive_as(role)
            if message is None or not self.handle_message(message):
                break
        self._end()

    def _receive_as(self, role: ReaderRole) -> Any:
        receive = self._receive
        message = receive() if receive is not None else None
        with self.lock:
            role.receiving = False
            role.busy_since = time.monotonic()
        return message

    def _end(self) -> None:
        """The stream ended or must end: wake every waiting transaction, tell the owner."""
        with self.lock:
            self._ended = True
        self._stream_done.set()
        for exchange in list(self._pending.values()):
            exchange.deliver(None)
        if self._on_end is not None:
            self._on_end()

    def pump_until(self, exchange: TransactionExchange) -> Any:
        """Receive messages on the reader thread until ``exchange`` has its answer (or None);
        wait on the exchange's queue instead once the reader role was handed over."""
        role = exchange.role
        while True:
            with self.lock:
                replies = exchange.replies
                if replies is not None or role is None:
                    break
                reply = exchange.reply
                if reply is not None or exchange.closed:
                    exchange.reply = None
                    return reply
                if self._ended:
                    return None
                role.receiving = True
            message = self._receive_as(role)
            if message is None or not self.handle_message(message):
                self._end()
                return None
        assert replies is not None
        return replies.get()

    def _monitor(self) -> None:
        """Hand the reader role over whenever its holder is stuck in contract code."""
        while not self._stream_done.wait(HANDOVER_AFTER_SECONDS / 2):
            successor = self._hand_over_if_stuck()
            if successor is not None:
                threading.Thread(
                    target=self._serve_as, args=(successor,), daemon=True, name="chaincode-rx"
                ).start()

    def _hand_over_if_stuck(self) -> ReaderRole | None:
        with self.lock:
            role = self._role
            if role is None or role.receiving or not role.stack or self._ended:
                return None
            if time.monotonic() - role.busy_since < HANDOVER_AFTER_SECONDS:
                return None
            role.lost = True
            for exchange in role.stack:
                exchange.to_queue()
            role.stack.clear()
            successor = ReaderRole()
            self._role = successor
        logger.debug("chaincode %s: reader busy in contract code, handed over", self._chaincode_id)
        return successor

    @property
    def in_flight(self) -> int:
        return len(self._pending)

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
        if exchange is None:
            logger.warning(
                "[%s] %s for no running transaction, dropped",
                message.txid[:8],
                messages.type_name(message.type),
            )
            return
        exchange.deliver(message)

    def _start_transaction(self, message: Any, *, is_init: bool) -> None:
        key = (message.channel_id, message.txid)
        with self.lock:
            role = self._role
            if (
                role is None
                or len(role.stack) >= MAX_INLINE_DEPTH
                or not role.held_by_current_thread()
            ):
                role = None
            exchange = TransactionExchange(self, message.channel_id, message.txid, role)
            if self._pending.setdefault(key, exchange) is not exchange:
                duplicate = True
            else:
                duplicate = False
                if role is not None:
                    role.stack.append(exchange)
        if duplicate:
            self._reply_error(message, f"transaction {message.txid} is already running")
            return
        if role is not None:
            try:
                self._run_transaction(message, exchange, is_init)
            finally:
                with self.lock:
                    if role.stack and role.stack[-1] is exchange:
                        role.stack.pop()
            return
        try:
            self._executor.submit(self._run_transaction, message, exchange, is_init)
        except RuntimeError as exc:  # executor shut down
            self._pending.pop(key, None)
            self._reply_error(message, f"chaincode is shutting down: {exc}")

    # -- one transaction, on an executor thread -----------------------------------------------
    def _run_transaction(self, message: Any, exchange: TransactionExchange, is_init: bool) -> None:
        try:
            reply = self._execute(message, exchange, is_init)
        except BaseException as exc:
            logger.exception("[%s] transaction failed outside contract code", message.txid[:8])
            reply = messages.new_message(
                messages.ERROR, message.txid, message.channel_id, error_text(exc).encode()
            )
        finally:
            self._pending.pop((message.channel_id, message.txid), None)
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
