"""A tiny CCaaS chaincode speaking the shim protocol, for testing the peer side in process."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from fabric_protos.ledger.queryresult import kv_query_result_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    chaincode_pb2,
    chaincode_shim_pb2,
    chaincode_shim_pb2_grpc,
    proposal_response_pb2,
)

Msg = chaincode_shim_pb2.ChaincodeMessage


class TinyChaincode(chaincode_shim_pb2_grpc.ChaincodeServicer):  # type: ignore[misc]
    """Functions: put k v, get k, range start end, fail msg, error msg, hang, event name."""

    def __init__(self, chaincode_id: str = "tiny_1.0:abc") -> None:
        self.chaincode_id = chaincode_id
        self.ready_params: Any = None
        self.registered = asyncio.Event()
        self.peer_messages: list[int] = []

    async def Connect(self, requests: Any, context: grpc.aio.ServicerContext) -> None:
        lock = asyncio.Lock()
        replies: dict[str, asyncio.Queue[Any]] = {}
        tasks: set[asyncio.Task[None]] = set()

        async def send(message: Any) -> None:
            async with lock:
                await context.write(message)

        async def ask(tx: Any, kind: int, payload: bytes) -> Any:
            await send(Msg(type=kind, payload=payload, txid=tx.txid, channel_id=tx.channel_id))
            return await replies[tx.txid].get()

        async def run(tx: Any) -> None:
            args = [a.decode() for a in chaincode_pb2.ChaincodeInput.FromString(tx.payload).args]
            done = Msg(type=Msg.COMPLETED, txid=tx.txid, channel_id=tx.channel_id)
            response = proposal_response_pb2.Response(status=200)
            fn = args[0]
            if fn == "put":
                put = chaincode_shim_pb2.PutState(key=args[1], value=args[2].encode())
                reply = await ask(tx, Msg.PUT_STATE, put.SerializeToString())
                if reply.type == Msg.ERROR:
                    response = proposal_response_pb2.Response(
                        status=500, message=reply.payload.decode()
                    )
            elif fn == "get":
                get = chaincode_shim_pb2.GetState(
                    key=args[1], collection=args[2] if len(args) > 2 else ""
                )
                reply = await ask(tx, Msg.GET_STATE, get.SerializeToString())
                if reply.type == Msg.ERROR:
                    response = proposal_response_pb2.Response(
                        status=500, message=reply.payload.decode()
                    )
                else:
                    response.payload = reply.payload
            elif fn == "range":
                request = chaincode_shim_pb2.GetStateByRange(startKey=args[1], endKey=args[2])
                reply = await ask(tx, Msg.GET_STATE_BY_RANGE, request.SerializeToString())
                batch = chaincode_shim_pb2.QueryResponse.FromString(reply.payload)
                keys, batches = [], 1
                while True:
                    for result in batch.results:
                        keys.append(kv_query_result_pb2.KV.FromString(result.resultBytes).key)
                    if not batch.has_more:
                        break
                    next_request = chaincode_shim_pb2.QueryStateNext(id=batch.id)
                    reply = await ask(tx, Msg.QUERY_STATE_NEXT, next_request.SerializeToString())
                    batch = chaincode_shim_pb2.QueryResponse.FromString(reply.payload)
                    batches += 1
                response.payload = f"{batches}:{','.join(keys)}".encode()
            elif fn == "fail":
                response = proposal_response_pb2.Response(status=500, message=args[1])
            elif fn == "error":
                await send(
                    Msg(
                        type=Msg.ERROR,
                        payload=args[1].encode(),
                        txid=tx.txid,
                        channel_id=tx.channel_id,
                    )
                )
                return
            elif fn == "hang":
                return
            elif fn == "event":
                done.chaincode_event.CopyFrom(
                    chaincode_event_pb2.ChaincodeEvent(event_name=args[1], payload=b"p")
                )
            done.payload = response.SerializeToString()
            await send(done)

        await send(
            Msg(
                type=Msg.REGISTER,
                payload=chaincode_pb2.ChaincodeID(name=self.chaincode_id).SerializeToString(),
            )
        )
        async for message in requests:
            self.peer_messages.append(message.type)
            if message.type == Msg.READY:
                self.ready_params = chaincode_pb2.ChaincodeAdditionalParams.FromString(
                    message.payload
                )
                self.registered.set()
            elif message.type == Msg.TRANSACTION:
                replies[message.txid] = asyncio.Queue()
                task = asyncio.get_running_loop().create_task(run(message))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            elif message.type in (Msg.RESPONSE, Msg.ERROR):
                await replies[message.txid].put(message)


async def serve_tiny_chaincode(port: int = 0) -> tuple[grpc.aio.Server, TinyChaincode, int]:
    server = grpc.aio.server()
    chaincode = TinyChaincode()
    chaincode_shim_pb2_grpc.add_ChaincodeServicer_to_server(chaincode, server)
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    return server, chaincode, bound
