"""A tiny chaincode served in the test process by our shim: ``Ping``, ``Get`` and a ``Sleep`` that
outlasts the peer's execute timeout, then tries to read and write (too late)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from gridledger_chaincode.shim.interface import LedgerStub
from gridledger_chaincode.shim.server import ChaincodeServer
from gridledger_chaincode.shim.settings import ServerSettings, TlsSettings
from gridledger_chaincode.shim.types import ChaincodeResponse
from harness.layout import ChaincodeTls


class SlowChaincode:
    def __init__(self) -> None:
        self.finished = threading.Event()
        self.late_write_errors: list[str] = []

    def init(self, stub: LedgerStub) -> ChaincodeResponse:
        return ChaincodeResponse.success()

    def invoke(self, stub: LedgerStub) -> ChaincodeResponse:
        function, parameters = stub.function, stub.parameters
        if function == "Ping":
            return ChaincodeResponse.success(b"pong")
        if function == "Get":
            return ChaincodeResponse.success(stub.get_state(parameters[0]))
        if function == "Sleep":
            seconds, key = float(parameters[0]), parameters[1]
            time.sleep(seconds)
            try:
                stub.get_state(key)  # reaches the peer (writes are batched until the end)
                stub.put_state(key, b"written after the peer gave up")
            except Exception as error:  # the peer no longer knows this transaction
                self.late_write_errors.append(str(error))
                raise
            finally:
                self.finished.set()
            return ChaincodeResponse.success()
        return ChaincodeResponse.error(f"unknown function {function}")


def serve_slow_chaincode(home: Path, port: int, chaincode: SlowChaincode) -> ChaincodeServer:
    tls = ChaincodeTls.of_home(home)
    settings = ServerSettings(
        address=f"127.0.0.1:{port}",
        chaincode_id="slowcc_1.0:faults",
        tls=TlsSettings(
            key=tls.server_key.read_bytes(),
            cert=tls.server_cert.read_bytes(),
            client_ca_cert=tls.ca_cert.read_bytes(),
        ),
    )
    server = ChaincodeServer(chaincode, settings)
    server.start()
    return server
