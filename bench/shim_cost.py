"""``python -m bench.shim_cost``: one chaincode server's CPU per transaction, without a network.

Our Python chaincode and Hyperledger's Node ``fabric-chaincode-node server`` serve the same
``kv`` contract as CCaaS over TLS; a scripted peer in this process (grpcio asyncio, like the
devnet) dials each, registers it with the devnet's READY capabilities (write batch, multiple
keys) and keeps N transactions in flight, answering every state request at once from a dict. The
chaincode process's CPU over the measured transactions is read from /proc. With no peer logic,
ordering or validation around it, this isolates what P1 compares: the shim, the contract API
and the stream.

    python -m bench.shim_cost [--workloads noop,put,addto] [--transactions 6000] [--inflight 32]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, chaincode_shim_pb2, proposal_pb2
from gridledger_network.processes import free_ports

from bench.network import node_available, start_chaincode_server
from bench.procstat import cpu_seconds

Msg = chaincode_shim_pb2.ChaincodeMessage
CHANNEL = "energy"
KEYS = 2048
WORKLOADS = {
    "noop": lambda i: [b"kv:Noop"],
    "put": lambda i: [b"kv:Put", f"new{i:09d}".encode(), b"v" * 100],
    "addto": lambda i: [b"kv:AddTo", f"acct{i % KEYS:05d}".encode(), b"1"],
}


def _crypto(home: Path) -> tuple[Path, Any]:
    """The devnet's generated crypto: chaincode TLS material and a client's signing identity."""
    from gridledger_network.devnet.config import default_config
    from gridledger_network.devnet.crypto.generate import ensure_crypto_material

    config = default_config()
    layout = ensure_crypto_material(home / "crypto", config)
    msp_id = config.org_msp_ids[0]
    cert = next((layout.user_msp_dir(msp_id, "Admin") / "signcerts").glob("*.pem")).read_bytes()
    creator = identities_pb2.SerializedIdentity(mspid=msp_id, id_bytes=cert)
    return layout.chaincode_tls_dir, creator.SerializeToString()


def _signed_proposal(creator: bytes, tx_id: str, args: list[bytes]) -> Any:
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.ENDORSER_TRANSACTION, channel_id=CHANNEL, tx_id=tx_id
    )
    channel_header.timestamp.FromDatetime(datetime.now(UTC))
    header = common_pb2.Header(
        channel_header=channel_header.SerializeToString(),
        signature_header=common_pb2.SignatureHeader(
            creator=creator, nonce=b"n" * 24
        ).SerializeToString(),
    )
    invocation = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(input=chaincode_pb2.ChaincodeInput(args=args))
    )
    payload = proposal_pb2.ChaincodeProposalPayload(input=invocation.SerializeToString())
    proposal = proposal_pb2.Proposal(
        header=header.SerializeToString(), payload=payload.SerializeToString()
    )
    return proposal_pb2.SignedProposal(
        proposal_bytes=proposal.SerializeToString(), signature=b"s" * 71
    )


class ScriptedPeer:
    """The peer's side of one stream: registers the chaincode, then drives transactions."""

    def __init__(self, address: str, tls_dir: Path, creator: bytes) -> None:
        credentials = grpc.ssl_channel_credentials(
            root_certificates=(tls_dir / "ca.crt").read_bytes(),
            private_key=(tls_dir / "client.key").read_bytes(),
            certificate_chain=(tls_dir / "client.crt").read_bytes(),
        )
        self._channel = grpc.aio.secure_channel(address, credentials)
        self._outbox: asyncio.Queue[Any] = asyncio.Queue()
        self._creator = creator
        self._state: dict[str, bytes] = {f"acct{i:05d}": b"0" for i in range(KEYS)}
        self._call: Any = None

    async def _requests(self) -> AsyncIterator[Any]:
        while (message := await self._outbox.get()) is not None:
            yield message

    async def register(self) -> None:
        connect = self._channel.stream_stream(
            "/protos.Chaincode/Connect",
            request_serializer=Msg.SerializeToString,
            response_deserializer=Msg.FromString,
        )
        for _ in range(100):
            self._call = connect(self._requests(), wait_for_ready=True)
            first = await self._call.read()
            if first is not grpc.aio.EOF and first.type == Msg.REGISTER:
                break
            await asyncio.sleep(0.1)
        params = chaincode_pb2.ChaincodeAdditionalParams(
            use_write_batch=True,
            max_size_write_batch=1000,
            use_get_multiple_keys=True,
            max_size_get_multiple_keys=1000,
        )
        self._outbox.put_nowait(Msg(type=Msg.REGISTERED))
        self._outbox.put_nowait(Msg(type=Msg.READY, payload=params.SerializeToString()))

    def _transaction(self, workload: str, index: int) -> Any:
        tx_id = f"{workload}-{index:010d}-{time.monotonic_ns()}"
        args = WORKLOADS[workload](index)
        message = Msg(
            type=Msg.TRANSACTION,
            txid=tx_id,
            channel_id=CHANNEL,
            payload=chaincode_pb2.ChaincodeInput(args=args).SerializeToString(),
        )
        message.proposal.CopyFrom(_signed_proposal(self._creator, tx_id, args))
        return message

    def _answer(self, message: Any) -> Any:
        payload = b""
        if message.type == Msg.GET_STATE:
            payload = self._state.get(
                chaincode_shim_pb2.GetState.FromString(message.payload).key, b""
            )
        elif message.type == Msg.GET_STATE_MULTIPLE:
            keys = chaincode_shim_pb2.GetStateMultiple.FromString(message.payload).keys
            payload = chaincode_shim_pb2.GetStateMultipleResult(
                values=[self._state.get(k, b"") for k in keys]
            ).SerializeToString()
        elif message.type not in (Msg.PUT_STATE, Msg.WRITE_BATCH_STATE, Msg.DEL_STATE):
            raise RuntimeError(f"unexpected {Msg.Type.Name(message.type)} from the chaincode")
        return Msg(
            type=Msg.RESPONSE, txid=message.txid, channel_id=message.channel_id, payload=payload
        )

    async def run(self, workload: str, transactions: int, inflight: int, rate: float) -> None:
        """``transactions`` with at most ``inflight`` outstanding, started at ``rate`` per
        second (0: as soon as one completes)."""
        sent = done = 0
        loop = asyncio.get_running_loop()
        start = loop.time()

        async def pace() -> None:
            nonlocal sent
            while sent < transactions:
                due = start + sent / rate
                await asyncio.sleep(max(0.0, due - loop.time()))
                self._outbox.put_nowait(self._transaction(workload, sent))
                sent += 1

        pacer = loop.create_task(pace()) if rate else None
        while not rate and sent < min(inflight, transactions):
            self._outbox.put_nowait(self._transaction(workload, sent))
            sent += 1
        while done < transactions:
            message = await self._call.read()
            if message is grpc.aio.EOF:
                raise RuntimeError("the chaincode closed the stream")
            if message.type == Msg.COMPLETED:
                done += 1
                if not rate and sent < transactions:
                    self._outbox.put_nowait(self._transaction(workload, sent))
                    sent += 1
            elif message.type == Msg.ERROR:
                raise RuntimeError(f"chaincode error: {bytes(message.payload).decode()}")
            else:
                self._outbox.put_nowait(self._answer(message))
        if pacer is not None:
            await pacer

    async def close(self) -> None:
        self._outbox.put_nowait(None)
        await self._channel.close()


async def measure(
    name: str,
    pid: int,
    address: str,
    crypto: tuple[Path, bytes],
    workloads: list[str],
    transactions: int,
    inflight: int,
    rate: float,
) -> None:
    peer = ScriptedPeer(address, *crypto)
    await peer.register()
    for workload in workloads:
        await peer.run(workload, transactions // 5, inflight, rate)  # warm-up
        cpu0, wall0 = cpu_seconds(pid), time.perf_counter()
        await peer.run(workload, transactions, inflight, rate)
        cpu, wall = cpu_seconds(pid) - cpu0, time.perf_counter() - wall0
        print(
            f"{name:7s} {workload:6s} {transactions / wall:8.0f} tx/s   "
            f"{1e6 * cpu / transactions:6.0f} us chaincode CPU per transaction",
            flush=True,
        )
    await peer.close()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.shim_cost", description=__doc__)
    parser.add_argument("--workloads", default="noop,put,addto")
    parser.add_argument("--chaincodes", default="python,node")
    parser.add_argument("--transactions", type=int, default=6000)
    parser.add_argument("--inflight", type=int, default=32)
    parser.add_argument(
        "--rate", type=float, default=300.0, help="transactions started per second (0: closed loop)"
    )
    args = parser.parse_args()
    workloads = args.workloads.split(",")
    with tempfile.TemporaryDirectory(prefix="gridledger-shim-cost-") as tmp:
        home = Path(tmp)
        tls, creator = _crypto(home)
        for chaincode in args.chaincodes.split(","):
            if chaincode == "node" and not node_available():
                print("node: Hyperledger's Node packages are not installed (make install)")
                continue
            (port,) = free_ports(1)
            process = start_chaincode_server(chaincode, "kv_1.0:bench", port, tls, home)
            try:
                address = f"127.0.0.1:{port}"
                run = measure(
                    chaincode,
                    process.pid,
                    address,
                    (tls, creator),
                    workloads,
                    args.transactions,
                    args.inflight,
                    args.rate,
                )
                asyncio.run(run)
            finally:
                process.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
