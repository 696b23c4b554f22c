"""The devnet process: one gRPC endpoint per organisation's peer over one channel ledger.

``Devnet(home).start()`` loads ``devnet.yaml``, generates missing crypto material, opens the
ledger and orderer, binds each org's peer endpoint (Gateway, Deliver, Endorser) with TLS on
127.0.0.1, starts dialing the chaincodes, then writes ``network.json`` and ``devnet.pid``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from fabric_protos.gateway import gateway_pb2_grpc
from fabric_protos.peer import events_pb2_grpc, peer_pb2_grpc

from gridledger_network.devnet.chaincode_support import (
    ChaincodeDefinition,
    ChaincodeSupport,
    ChaincodeTls,
    CollectionDefinition,
)
from gridledger_network.devnet.chaincode_support.support import execute_timeout_from_env
from gridledger_network.devnet.channel import DevnetChannel, open_channel
from gridledger_network.devnet.config import CONFIG_FILE, DevnetConfig, load_config
from gridledger_network.devnet.crypto.layout import CryptoLayout
from gridledger_network.devnet.deliver import BlockViewCache, DeliverService
from gridledger_network.devnet.endorser import Endorser
from gridledger_network.devnet.endorser.service import EndorserService
from gridledger_network.devnet.gateway import GatewayService, PeerNode
from gridledger_network.devnet.orderer import SoloOrderer
from gridledger_network.devnet.policy import parse_policy
from gridledger_network.processes import HOST, NodeStartError, check_ports_free

logger = logging.getLogger(__name__)

NETWORK_FILE = "network.json"
PID_FILE = "devnet.pid"
MAX_MESSAGE_BYTES = 100 * 1024 * 1024


def chaincode_definitions(
    config: DevnetConfig, layout: CryptoLayout
) -> dict[str, ChaincodeDefinition]:
    tls_dir = layout.chaincode_tls_dir
    definitions = {}
    for chaincode in config.chaincodes:
        tls = None
        if chaincode.tls:
            tls = ChaincodeTls(
                root_cert=(tls_dir / "ca.crt").read_bytes(),
                client_cert=(tls_dir / "client.crt").read_bytes(),
                client_key=(tls_dir / "client.key").read_bytes(),
            )
        definitions[chaincode.name] = ChaincodeDefinition(
            name=chaincode.name,
            address=chaincode.address,
            policy=parse_policy(chaincode.policy),
            tls=tls,
            collections={
                c.name: CollectionDefinition(
                    c.name,
                    frozenset(c.members),
                    c.block_to_live,
                    parse_policy(c.endorsement_policy) if c.endorsement_policy else None,
                    c.member_only_read,
                    c.member_only_write,
                )
                for c in chaincode.collections
            },
            version=chaincode.version,
            policy_text=chaincode.policy,
        )
    return definitions


@dataclass
class PeerEndpoint:
    msp_id: str
    port: int
    host: str
    support: ChaincodeSupport
    node: PeerNode
    server: grpc.aio.Server | None = None


@dataclass
class Devnet:
    home: Path
    config: DevnetConfig | None = None
    execute_timeout: float = field(default_factory=execute_timeout_from_env)
    peers: dict[str, PeerEndpoint] = field(default_factory=dict)
    channel: DevnetChannel | None = None
    orderer: SoloOrderer | None = None
    _stopped: asyncio.Event | None = None

    async def start(self) -> None:
        self.home = self.home.resolve()
        self.home.mkdir(parents=True, exist_ok=True)
        config = self.config = self.config or load_config(self.home)
        check_ports_free({p.port: f"{p.msp_id} peer" for p in config.peers}, CONFIG_FILE)
        side = self.channel = open_channel(self.home, config)
        layout = side.layout
        orderer = self.orderer = side.new_orderer()
        orderer.start(asyncio.get_running_loop())
        definitions = chaincode_definitions(config, layout)
        blocks = BlockViewCache(side.ledger)
        for peer in config.peers:
            signer = side.peer_signers[peer.msp_id]
            support = ChaincodeSupport(peer.msp_id, definitions, self.execute_timeout)
            endorser = Endorser(
                peer.msp_id, signer, side.channel_config, side.ledger, support, side.transient_store
            )
            node = PeerNode(peer.msp_id, f"{peer.host}:{peer.port}", endorser)
            self.peers[peer.msp_id] = PeerEndpoint(peer.msp_id, peer.port, peer.host, support, node)
        nodes = {msp_id: endpoint.node for msp_id, endpoint in self.peers.items()}
        try:
            for endpoint in self.peers.values():
                endpoint.server = await self._serve(endpoint, layout, nodes, blocks, definitions)
        except BaseException:
            await self.stop()
            raise
        for endpoint in self.peers.values():
            endpoint.support.start()
        self._write_network_json(layout, definitions)
        (self.home / PID_FILE).write_text(f"{os.getpid()}\n", encoding="utf-8")
        logger.info(
            "devnet listening: %s",
            ", ".join(f"{p.msp_id}={HOST}:{p.port}" for p in self.peers.values()),
        )

    async def _serve(
        self,
        endpoint: PeerEndpoint,
        layout: CryptoLayout,
        nodes: dict[str, PeerNode],
        blocks: BlockViewCache,
        definitions: dict[str, ChaincodeDefinition],
    ) -> grpc.aio.Server:
        side, orderer = self.channel, self.orderer
        assert side is not None and orderer is not None
        server = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.so_reuseport", 0),
            ]
        )
        gateway = GatewayService(
            endpoint.msp_id, nodes, side.ledger, orderer, side.channel_config, blocks
        )
        gateway_pb2_grpc.add_GatewayServicer_to_server(gateway, server)
        events_pb2_grpc.add_DeliverServicer_to_server(
            DeliverService(side.ledger, side.channel_config, blocks, definitions, endpoint.msp_id),
            server,
        )
        peer_pb2_grpc.add_EndorserServicer_to_server(
            EndorserService(endpoint.node.endorser), server
        )
        tls_dir = layout.node_tls_dir(endpoint.msp_id)
        credentials = grpc.ssl_server_credentials(
            [((tls_dir / "server.key").read_bytes(), (tls_dir / "server.crt").read_bytes())]
        )
        owner = {endpoint.port: f"{endpoint.msp_id} peer"}
        try:
            bound = server.add_secure_port(f"{HOST}:{endpoint.port}", credentials)
        except RuntimeError as err:  # taken since the check: say so the same way
            check_ports_free(owner, CONFIG_FILE)
            raise NodeStartError(f"cannot listen on {HOST}:{endpoint.port}: {err}") from err
        if bound == 0:
            check_ports_free(owner, CONFIG_FILE)
            raise NodeStartError(f"cannot listen on {HOST}:{endpoint.port}")
        await server.start()
        return server

    def _write_network_json(
        self, layout: CryptoLayout, definitions: dict[str, ChaincodeDefinition]
    ) -> None:
        config = self.config
        assert config is not None
        organizations = {}
        for endpoint in self.peers.values():
            msp_id = endpoint.msp_id
            users = ["Admin", "User1", *(u.name for u in config.users if u.org == msp_id)]
            organizations[msp_id] = {
                "peer_endpoint": f"{HOST}:{endpoint.port}",
                "peer_host": endpoint.host,
                "tls_ca_cert": str(layout.tlsca_cert(msp_id)),
                "users": {name: str(layout.user_msp_dir(msp_id, name)) for name in users},
            }
        profile = {
            "channel": config.channel,
            "pid": os.getpid(),
            "organizations": organizations,
            "chaincodes": {
                name: {"address": d.address, "policy": d.policy_text}
                for name, d in definitions.items()
            },
        }
        target = self.home / NETWORK_FILE
        temporary = target.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(profile, indent=2) + "\n", encoding="utf-8")
        temporary.replace(target)

    async def stop(self) -> None:
        for name in (NETWORK_FILE, PID_FILE):
            with contextlib.suppress(FileNotFoundError):
                (self.home / name).unlink()
        for endpoint in self.peers.values():
            await endpoint.support.stop()
            if endpoint.server is not None:
                await endpoint.server.stop(grace=0.5)
                endpoint.server = None
        if self.orderer is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.orderer.stop)
            self.orderer = None
        if self.channel is not None:
            self.channel.close()
            self.channel = None

    def request_stop(self) -> None:
        if self._stopped is not None:
            self._stopped.set()

    async def run_until_stopped(self) -> None:
        self._stopped = asyncio.Event()
        await self._stopped.wait()
