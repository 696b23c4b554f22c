"""First end-to-end smoke test: devnet + our Python chaincode on free ports, a kv Put read back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gridledger_network.devnet.launcher import start_devnet
from gridledger_network.processes import free_ports

pytestmark = pytest.mark.integration

OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"


@pytest.fixture(scope="module")
def network_json(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("devnet")
    operator_port, prosumer_port, chaincode_port = free_ports(3)
    config = {
        "channel": "energy",
        "peers": {OPERATOR: {"port": operator_port}, PROSUMER: {"port": prosumer_port}},
        "batch": {"max_message_count": 10, "batch_timeout_ms": 20, "preferred_max_bytes": 2097152},
        "chaincodes": [
            {
                "name": "gridledger",
                "address": f"127.0.0.1:{chaincode_port}",
                "tls": True,
                "policy": f"AND('{OPERATOR}.peer','{PROSUMER}.peer')",
                "collections": [{"name": "operatorPrivate", "members": [OPERATOR]}],
            }
        ],
    }
    handle = start_devnet(home, config)
    tls = home / "crypto" / "chaincode" / "tls"
    env = dict(os.environ)
    env.update(
        {
            "CHAINCODE_SERVER_ADDRESS": f"127.0.0.1:{chaincode_port}",
            "CHAINCODE_ID": "gridledger_1.0:smoke",
            "CHAINCODE_TLS_DISABLED": "false",
            "CHAINCODE_TLS_KEY": str(tls / "server.key"),
            "CHAINCODE_TLS_CERT": str(tls / "server.crt"),
            "CHAINCODE_CLIENT_CA_CERT": str(tls / "ca.crt"),
        }
    )
    with open(home / "chaincode.log", "wb") as log:
        chaincode = subprocess.Popen(
            [sys.executable, "-m", "gridledger_chaincode"], env=env, stdout=log, stderr=log
        )
    try:
        yield handle.network_json
    finally:
        chaincode.terminate()
        chaincode.wait(10)
        handle.stop()


def test_put_is_committed_and_read_back(network_json: Path) -> None:
    from gridledger.profile import ConnectionProfile

    profile = ConnectionProfile.load(network_json)
    with profile.connect(OPERATOR, user="User1") as gateway:
        contract = gateway.network("energy").contract("gridledger", "kv")
        deadline = time.monotonic() + 20
        while True:  # the chaincode server may still be starting
            try:
                contract.evaluate("Noop")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        contract.submit("Put", "smoke-meter", "1234 Wh")
        assert contract.evaluate("Get", "smoke-meter") == b"1234 Wh"
    with profile.connect(PROSUMER, user="User1") as gateway:
        contract = gateway.network("energy").contract("gridledger", "kv")
        assert contract.evaluate("Get", "smoke-meter") == b"1234 Wh"
