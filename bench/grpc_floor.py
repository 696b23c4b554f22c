"""``python -m bench.grpc_floor``: the CPU floor of one gRPC stream message in grpcio.

An echo server (sync or asyncio grpcio) in a child process and a client in this one exchange
``ChaincodeMessage``s of a GET_STATE's size over one bidirectional stream with a few messages in
flight, as a peer and a chaincode do; each side's CPU per message pair (one received, one sent)
is read from /proc. Every chaincode request costs at least this on each side, whatever the shim
does around it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import queue
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
from fabric_protos.peer import chaincode_shim_pb2
from gridledger_network.processes import free_ports

from bench.procstat import cpu_seconds

Msg = chaincode_shim_pb2.ChaincodeMessage
METHOD = "/protos.Chaincode/Connect"
MESSAGES = 20_000


def _message() -> Any:
    return Msg(type=Msg.GET_STATE, payload=b"x" * 100, txid="t" * 64, channel_id="energy")


def _handler(behaviour: Any) -> Any:
    return grpc.method_handlers_generic_handler(
        "protos.Chaincode",
        {
            "Connect": grpc.stream_stream_rpc_method_handler(
                behaviour,
                request_deserializer=Msg.FromString,
                response_serializer=Msg.SerializeToString,
            )
        },
    )


def serve_sync(port: int) -> None:
    def echo(requests: Iterator[Any], context: Any) -> Iterator[Any]:
        yield from requests

    server = grpc.server(ThreadPoolExecutor(8))
    server.add_generic_rpc_handlers((_handler(echo),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    server.wait_for_termination()


async def serve_aio(port: int) -> None:
    async def echo(requests: AsyncIterator[Any], context: Any) -> None:
        while (message := await context.read()) is not grpc.aio.EOF:
            await context.write(message)

    server = grpc.aio.server()
    server.add_generic_rpc_handlers((_handler(echo),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


def client_sync(port: int, inflight: int) -> tuple[float, float]:
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def requests() -> Iterator[Any]:
        while (item := outbox.get()) is not None:
            yield item

    call = channel.stream_stream(
        METHOD, request_serializer=Msg.SerializeToString, response_deserializer=Msg.FromString
    )(requests())
    message = _message()
    for _ in range(inflight):
        outbox.put(message)
    started, cpu = time.perf_counter(), cpu_seconds(os.getpid())
    for _ in range(MESSAGES):
        next(call)
        outbox.put(message)
    result = time.perf_counter() - started, cpu_seconds(os.getpid()) - cpu
    outbox.put(None)
    channel.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.grpc_floor", description=__doc__)
    parser.add_argument("--serve", choices=("sync", "aio"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--inflight", type=int, default=8)
    args = parser.parse_args()
    if args.serve == "sync":
        serve_sync(args.port)
        return 0
    if args.serve == "aio":
        asyncio.run(serve_aio(args.port))
        return 0
    print(f"grpcio {grpc.__version__}, {MESSAGES} message pairs, {args.inflight} in flight")
    for mode in ("sync", "aio"):
        port = free_ports(1)[0]
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.grpc_floor", "--serve", mode, "--port", str(port)]
        )
        try:
            time.sleep(1.0)
            server_cpu = cpu_seconds(server.pid)
            wall, client_cpu = client_sync(port, args.inflight)
            server_cpu = cpu_seconds(server.pid) - server_cpu
        finally:
            server.kill()
            server.wait()
        print(
            f"{mode:4} server: {MESSAGES / wall:7.0f} pairs/s, server "
            f"{server_cpu / MESSAGES * 1e6:5.0f} us CPU per pair, sync client "
            f"{client_cpu / MESSAGES * 1e6:5.0f} us"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
