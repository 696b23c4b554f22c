"""Chaincode support of one organisation's peer: its streams to every configured chaincode."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fabric_protos.peer import chaincode_event_pb2, chaincode_shim_pb2, proposal_response_pb2

from gridledger_network.devnet.chaincode_support.connection import ChaincodeConnection
from gridledger_network.devnet.chaincode_support.definitions import ChaincodeDefinition
from gridledger_network.devnet.chaincode_support.errors import ChaincodeUnavailable, SimulationError
from gridledger_network.devnet.chaincode_support.transaction_context import TransactionParams

logger = logging.getLogger(__name__)

Msg = chaincode_shim_pb2.ChaincodeMessage
DEFAULT_EXECUTE_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 3.0
EXECUTE_TIMEOUT_VARIABLE = "CORE_CHAINCODE_EXECUTETIMEOUT"  # Fabric's peer setting, e.g. "30s"


def execute_timeout_from_env(env: Mapping[str, str] | None = None) -> float:
    """Seconds a transaction may run in the chaincode: ``CORE_CHAINCODE_EXECUTETIMEOUT``
    ("30s", "500ms", "2m" or plain seconds), else 30 s as on Fabric."""
    text = (os.environ if env is None else env).get(EXECUTE_TIMEOUT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_EXECUTE_TIMEOUT
    for suffix, scale in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
        if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
            return float(text[: -len(suffix)]) * scale
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"{EXECUTE_TIMEOUT_VARIABLE}={text!r} is not a duration") from None
    if seconds <= 0:
        raise ValueError(f"{EXECUTE_TIMEOUT_VARIABLE} must be positive")
    return seconds


class ExecutionError(Exception):
    """Executing the chaincode failed (Fabric's ``Execute`` error under ``error in simulation``)."""


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    response: Any  # peer.Response
    event: Any | None  # peer.ChaincodeEvent with chaincode_id and tx_id filled


class ChaincodeSupport:
    def __init__(
        self,
        peer_msp_id: str,
        definitions: Mapping[str, ChaincodeDefinition],
        execute_timeout: float = DEFAULT_EXECUTE_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    ) -> None:
        self.peer_msp_id = peer_msp_id
        self.definitions = dict(definitions)
        self.execute_timeout = execute_timeout
        self.connect_timeout = connect_timeout
        self._connections = {
            name: ChaincodeConnection(definition, peer_msp_id, self.invoke)
            for name, definition in self.definitions.items()
        }

    def start(self) -> None:
        for connection in self._connections.values():
            connection.start()

    async def stop(self) -> None:
        for connection in self._connections.values():
            await connection.stop()

    def connection(self, name: str) -> ChaincodeConnection | None:
        return self._connections.get(name)

    async def invoke(self, params: TransactionParams, name: str, chaincode_input: Any) -> Any:
        """Run a transaction on chaincode ``name``; the chaincode's COMPLETED or ERROR message."""
        connection = self._connections.get(name)
        if connection is None:
            raise SimulationError(f"chaincode {name} not found")
        handler = await connection.handler(self.connect_timeout)
        return await handler.execute(
            params,
            chaincode_input.SerializeToString(),
            self.execute_timeout,
            chaincode_input.is_init,
        )

    async def execute(
        self, params: TransactionParams, name: str, chaincode_input: Any
    ) -> ExecutionResult:
        """Fabric's ``ChaincodeSupport.Execute``: the chaincode's response and event."""
        try:
            message = await self.invoke(params, name, chaincode_input)
        except ChaincodeUnavailable as err:
            if str(err).startswith("chaincode "):
                raise ExecutionError(
                    f"failed to execute transaction {params.tx_id}: {err}"
                ) from err
            raise ExecutionError(
                f"failed to execute transaction {params.tx_id}: error sending: {err}"
            ) from err
        except SimulationError as err:
            raise ExecutionError(f"failed to execute transaction {params.tx_id}: {err}") from err
        event = None
        if message.HasField("chaincode_event"):
            event = chaincode_event_pb2.ChaincodeEvent()
            event.CopyFrom(message.chaincode_event)
            event.chaincode_id = name
            event.tx_id = params.tx_id
        if message.type == Msg.COMPLETED:
            response = proposal_response_pb2.Response.FromString(message.payload)
            return ExecutionResult(response, event)
        if message.type == Msg.ERROR:
            raise ExecutionError(
                f"transaction returned with failure: {message.payload.decode(errors='replace')}"
            )
        raise ExecutionError(
            f"unexpected response type {message.type} for transaction {params.tx_id}"
        )
