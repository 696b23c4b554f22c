"""The peer's side of one chaincode stream: registration, then ledger requests per transaction.

A small state machine like Fabric's ``core/chaincode/handler.go``: the shim sends REGISTER, the
peer answers REGISTERED then READY (carrying ``ChaincodeAdditionalParams``), then sends
TRANSACTION messages and serves the shim's GET_STATE, PUT_STATE, ... requests until the shim
answers COMPLETED or ERROR.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fabric_protos.peer import chaincode_pb2, chaincode_shim_pb2

from gridledger_network.devnet.chaincode_support.errors import ChaincodeUnavailable, SimulationError
from gridledger_network.devnet.chaincode_support.query_results import (
    history_cursor,
    range_cursor,
)
from gridledger_network.devnet.chaincode_support.transaction_context import (
    TransactionContext,
    TransactionParams,
)

logger = logging.getLogger(__name__)

Msg = chaincode_shim_pb2.ChaincodeMessage
MAX_BATCH_SIZE = 1000
ERROR_EXECUTION_TIMEOUT = "timeout expired while executing transaction"
ERROR_STREAM_TERMINATED = "chaincode stream terminated"

# (params, target chaincode name, ChaincodeInput) -> the target's COMPLETED/ERROR message
Invoker = Callable[[TransactionParams, str, Any], Awaitable[Any]]


def ready_message() -> Any:
    params = chaincode_pb2.ChaincodeAdditionalParams(
        use_write_batch=True,
        max_size_write_batch=MAX_BATCH_SIZE,
        use_get_multiple_keys=True,
        max_size_get_multiple_keys=MAX_BATCH_SIZE,
    )
    return Msg(type=Msg.READY, payload=params.SerializeToString())


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(ChaincodeUnavailable(ERROR_EXECUTION_TIMEOUT))


class ChaincodeHandler:
    def __init__(self, chaincode_name: str, send: Callable[[Any], None], invoker: Invoker) -> None:
        self.chaincode_name = chaincode_name
        self._send = send
        self._invoker = invoker
        self._contexts: dict[tuple[str, str], TransactionContext] = {}
        self._closed: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._dispatch: dict[int, Callable[[Any, TransactionContext], Any]] = {
            Msg.GET_STATE: self._get_state,
            Msg.GET_STATE_MULTIPLE: self._get_state_multiple,
            Msg.PUT_STATE: self._put_state,
            Msg.DEL_STATE: self._del_state,
            Msg.PURGE_PRIVATE_DATA: self._purge_private_data,
            Msg.WRITE_BATCH_STATE: self._write_batch,
            Msg.GET_STATE_METADATA: self._get_state_metadata,
            Msg.PUT_STATE_METADATA: self._put_state_metadata,
            Msg.GET_PRIVATE_DATA_HASH: self._get_private_data_hash,
            Msg.GET_STATE_BY_RANGE: self._get_state_by_range,
            Msg.QUERY_STATE_NEXT: self._query_state_next,
            Msg.QUERY_STATE_CLOSE: self._query_state_close,
            Msg.GET_HISTORY_FOR_KEY: self._get_history_for_key,
            Msg.GET_QUERY_RESULT: self._get_query_result,
        }

    # -- transactions -------------------------------------------------------------------------
    async def execute(
        self, params: TransactionParams, input_bytes: bytes, timeout: float, is_init: bool = False
    ) -> Any:
        """Send TRANSACTION (or INIT) and wait for the chaincode's COMPLETED or ERROR message."""
        if self._closed is not None:
            raise ChaincodeUnavailable(ERROR_STREAM_TERMINATED)
        key = (params.channel_id, params.tx_id)
        if key in self._contexts:
            raise SimulationError(f"txid: {params.tx_id}({params.channel_id}) exists")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        context = TransactionContext(params, self.chaincode_name, future)
        self._contexts[key] = context
        # a timer on the future itself, not asyncio.wait_for: no extra task wake-up per message
        timer = loop.call_later(timeout, _expire, future)
        try:
            self._send(
                Msg(
                    type=Msg.INIT if is_init else Msg.TRANSACTION,
                    payload=input_bytes,
                    txid=params.tx_id,
                    channel_id=params.channel_id,
                    proposal=params.signed_proposal,
                )
            )
            return await future
        finally:
            timer.cancel()
            self._contexts.pop(key, None)
            context.queries.close_all()

    def close(self) -> None:
        """The stream ended: every waiting transaction fails."""
        self._closed = ERROR_STREAM_TERMINATED
        for context in list(self._contexts.values()):
            if not context.response.done():
                context.response.set_exception(ChaincodeUnavailable(ERROR_STREAM_TERMINATED))
        for task in list(self._tasks):
            task.cancel()

    # -- messages from the chaincode ----------------------------------------------------------
    def handle(self, msg: Any) -> None:
        kind = msg.type
        if kind == Msg.KEEPALIVE:
            return
        if kind in (Msg.COMPLETED, Msg.ERROR):
            context = self._contexts.get((msg.channel_id, msg.txid))
            if context is not None and not context.response.done():
                context.response.set_result(msg)
            return
        if kind == Msg.INVOKE_CHAINCODE:
            task = asyncio.get_running_loop().create_task(self._invoke_chaincode(msg))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        self._send(self._serve(msg))

    def _serve(self, msg: Any) -> Any:
        name = Msg.Type.Name(msg.type)
        handler = self._dispatch.get(msg.type)
        if handler is None:
            return self._error(
                msg, f"[{msg.txid}] Fabric side handler cannot handle message ({name})"
            )
        context = self._contexts.get((msg.channel_id, msg.txid))
        if context is None:
            return self._error(msg, f"{name} failed: transaction ID: {msg.txid}: no ledger context")
        try:
            payload = handler(msg, context)
        except SimulationError as err:
            return self._error(msg, f"{name} failed: transaction ID: {msg.txid}: {err}")
        except Exception as err:  # a malformed request must not kill the stream
            logger.exception("serving %s for %s", name, msg.txid)
            return self._error(msg, f"{name} failed: transaction ID: {msg.txid}: {err}")
        return Msg(
            type=Msg.RESPONSE, payload=payload or b"", txid=msg.txid, channel_id=msg.channel_id
        )

    @staticmethod
    def _error(msg: Any, text: str) -> Any:
        return Msg(type=Msg.ERROR, payload=text.encode(), txid=msg.txid, channel_id=msg.channel_id)

    # -- state --------------------------------------------------------------------------------
    def _get_state(self, msg: Any, ctx: TransactionContext) -> bytes | None:
        request = chaincode_shim_pb2.GetState.FromString(msg.payload)
        if request.collection:
            return ctx.simulator.get_private_data(ctx.namespace, request.collection, request.key)
        return ctx.simulator.get_state(ctx.namespace, request.key)

    def _get_state_multiple(self, msg: Any, ctx: TransactionContext) -> bytes:
        request = chaincode_shim_pb2.GetStateMultiple.FromString(msg.payload)
        keys = list(request.keys)
        if request.collection:
            values = [
                ctx.simulator.get_private_data(ctx.namespace, request.collection, k) for k in keys
            ]
        else:
            values = ctx.simulator.get_states(ctx.namespace, keys)
        result = chaincode_shim_pb2.GetStateMultipleResult(values=[v or b"" for v in values])
        return bytes(result.SerializeToString())

    def _get_private_data_hash(self, msg: Any, ctx: TransactionContext) -> bytes | None:
        request = chaincode_shim_pb2.GetState.FromString(msg.payload)
        return ctx.simulator.get_private_data_hash(ctx.namespace, request.collection, request.key)

    def _get_state_metadata(self, msg: Any, ctx: TransactionContext) -> bytes:
        request = chaincode_shim_pb2.GetStateMetadata.FromString(msg.payload)
        if request.collection:
            metadata = ctx.simulator.get_private_data_metadata(
                ctx.namespace, request.collection, request.key
            )
        else:
            metadata = ctx.simulator.get_state_metadata(ctx.namespace, request.key)
        result = chaincode_shim_pb2.StateMetadataResult(
            entries=[
                chaincode_shim_pb2.StateMetadata(metakey=k, value=metadata[k])
                for k in sorted(metadata)
            ]
        )
        return bytes(result.SerializeToString())

    def _put(self, ctx: TransactionContext, key: str, value: bytes, collection: str) -> None:
        if collection:
            ctx.simulator.set_private_data(ctx.namespace, collection, key, value)
        else:
            ctx.simulator.set_state(ctx.namespace, key, value)

    def _delete(self, ctx: TransactionContext, key: str, collection: str) -> None:
        if collection:
            ctx.simulator.delete_private_data(ctx.namespace, collection, key)
        else:
            ctx.simulator.delete_state(ctx.namespace, key)

    def _purge(self, ctx: TransactionContext, key: str, collection: str) -> None:
        if not collection:
            raise SimulationError("only applicable for private data")
        ctx.simulator.purge_private_data(ctx.namespace, collection, key)

    def _put_metadata(
        self, ctx: TransactionContext, key: str, collection: str, metakey: str, value: bytes
    ) -> None:
        metadata = {metakey: value}
        if collection:
            ctx.simulator.set_private_data_metadata(ctx.namespace, collection, key, metadata)
        else:
            ctx.simulator.set_state_metadata(ctx.namespace, key, metadata)

    def _put_state(self, msg: Any, ctx: TransactionContext) -> None:
        request = chaincode_shim_pb2.PutState.FromString(msg.payload)
        self._put(ctx, request.key, request.value, request.collection)

    def _del_state(self, msg: Any, ctx: TransactionContext) -> None:
        request = chaincode_shim_pb2.DelState.FromString(msg.payload)
        self._delete(ctx, request.key, request.collection)

    def _purge_private_data(self, msg: Any, ctx: TransactionContext) -> None:
        request = chaincode_shim_pb2.DelState.FromString(msg.payload)
        self._purge(ctx, request.key, request.collection)

    def _put_state_metadata(self, msg: Any, ctx: TransactionContext) -> None:
        request = chaincode_shim_pb2.PutStateMetadata.FromString(msg.payload)
        self._put_metadata(
            ctx, request.key, request.collection, request.metadata.metakey, request.metadata.value
        )

    def _write_batch(self, msg: Any, ctx: TransactionContext) -> None:
        batch = chaincode_shim_pb2.WriteBatchState.FromString(msg.payload)
        record_type = chaincode_shim_pb2.WriteRecord
        for record in batch.rec:
            if record.type == record_type.PUT_STATE:
                self._put(ctx, record.key, record.value, record.collection)
            elif record.type == record_type.DEL_STATE:
                self._delete(ctx, record.key, record.collection)
            elif record.type == record_type.PURGE_PRIVATE_DATA:
                self._purge(ctx, record.key, record.collection)
            elif record.type == record_type.PUT_STATE_METADATA:
                self._put_metadata(
                    ctx,
                    record.key,
                    record.collection,
                    record.metadata.metakey,
                    record.metadata.value,
                )
            else:
                raise SimulationError("unknown operation type")

    # -- queries ------------------------------------------------------------------------------
    def _get_state_by_range(self, msg: Any, ctx: TransactionContext) -> bytes:
        request = chaincode_shim_pb2.GetStateByRange.FromString(msg.payload)
        page_size = 0
        start_key = request.startKey
        if request.metadata:
            metadata = chaincode_shim_pb2.QueryMetadata.FromString(request.metadata)
            if metadata.pageSize or metadata.bookmark:
                page_size = max(metadata.pageSize, 0)
                if metadata.bookmark:
                    start_key = metadata.bookmark
                if page_size == 0:
                    page_size = 1 << 31  # bookmark without page size: Fabric pages unbounded
        if request.collection:
            scan = ctx.simulator.private_range_scan(
                ctx.namespace, request.collection, request.startKey, request.endKey
            )
            cursor = range_cursor(ctx.namespace, scan, 0)
        else:
            scan = ctx.simulator.range_scan(ctx.namespace, start_key, request.endKey, page_size)
            cursor = range_cursor(ctx.namespace, scan, page_size)
        query_id = ctx.queries.open(cursor)
        return ctx.queries.next_response(query_id, cursor)

    def _query_state_next(self, msg: Any, ctx: TransactionContext) -> bytes:
        request = chaincode_shim_pb2.QueryStateNext.FromString(msg.payload)
        cursor = ctx.queries.get(request.id)
        if cursor is None:
            raise SimulationError("query iterator not found")
        return ctx.queries.next_response(request.id, cursor)

    def _query_state_close(self, msg: Any, ctx: TransactionContext) -> bytes:
        request = chaincode_shim_pb2.QueryStateClose.FromString(msg.payload)
        ctx.queries.close(request.id)
        return bytes(
            chaincode_shim_pb2.QueryResponse(has_more=False, id=request.id).SerializeToString()
        )

    def _get_history_for_key(self, msg: Any, ctx: TransactionContext) -> bytes:
        request = chaincode_shim_pb2.GetHistoryForKey.FromString(msg.payload)
        cursor = history_cursor(ctx.simulator.history(ctx.namespace, request.key))
        query_id = ctx.queries.open(cursor)
        return ctx.queries.next_response(query_id, cursor)

    def _get_query_result(self, msg: Any, ctx: TransactionContext) -> bytes:
        raise SimulationError("ExecuteQuery not supported for leveldb")

    # -- chaincode to chaincode ---------------------------------------------------------------
    async def _invoke_chaincode(self, msg: Any) -> None:
        name = "INVOKE_CHAINCODE"
        context = self._contexts.get((msg.channel_id, msg.txid))
        if context is None:
            self._send(
                self._error(
                    msg,
                    f"{name} failed: transaction ID: {msg.txid}: could not get valid transaction",
                )
            )
            return
        try:
            spec = chaincode_pb2.ChaincodeSpec.FromString(msg.payload)
            target, _, channel = spec.chaincode_id.name.partition("/")
            target = target.partition(":")[0]
            if channel and channel != context.params.channel_id:
                raise SimulationError(f"failed to find ledger for channel: {channel}")
            try:
                result = await self._invoker(context.params, target, spec.input)
            except (ChaincodeUnavailable, SimulationError) as err:
                raise SimulationError(f"execute failed: {err}") from err
            reply = Msg(
                type=Msg.RESPONSE,
                payload=result.SerializeToString(),
                txid=msg.txid,
                channel_id=msg.channel_id,
            )
        except SimulationError as err:
            reply = self._error(msg, f"{name} failed: transaction ID: {msg.txid}: {err}")
        self._send(reply)
