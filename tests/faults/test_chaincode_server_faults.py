"""The chaincode server restarting, and a transaction that hangs in it.

- The devnet redials a restarted chaincode server by itself: no redeploy, no devnet restart.
- A transaction outlasting the peer's execute timeout (``CORE_CHAINCODE_EXECUTETIMEOUT``) fails
  endorsement with a clear message; the chaincode keeps serving others meanwhile; its late write
  is refused (nothing written); the shim ends with no transaction left in flight.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from gridledger.gateway import EndorseError, EvaluateError, GatewayError
from gridledger.retry import Disposition, classify
from harness.devnet import OPERATOR

from faults.fault_network import CHANNEL, PYTHON_CHAINCODE, FaultNetwork, running_fault_network
from faults.slow_chaincode import SlowChaincode, serve_slow_chaincode

pytestmark = pytest.mark.integration

SLOW = "slowcc"
ORG = OPERATOR
EXECUTE_TIMEOUT_SECONDS = 1.0
HANG_GUARD_SECONDS = 60.0


@pytest.fixture(scope="module")
def fault_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultNetwork]:
    with running_fault_network(
        tmp_path_factory.mktemp("ccfaults"),
        extra_env={"CORE_CHAINCODE_EXECUTETIMEOUT": f"{EXECUTE_TIMEOUT_SECONDS}s"},
        extra_chaincodes=[SLOW],
    ) as network:
        yield network


def eventually(check: Callable[[], bool], what: str) -> None:
    """Poll until ``check`` holds (a hang guard, not a timing assertion)."""
    give_up_at = time.monotonic() + HANG_GUARD_SECONDS
    while not check():
        if time.monotonic() > give_up_at:
            raise AssertionError(f"never: {what}")
        time.sleep(0.1)


def answers(contract: object, function: str) -> bool:
    try:
        contract.evaluate(function)  # type: ignore[attr-defined]
    except GatewayError:
        return False
    return True


def test_devnet_redials_a_restarted_chaincode_server(fault_network: FaultNetwork) -> None:
    with fault_network.connect() as gateway:
        kv = gateway.network(CHANNEL).contract(PYTHON_CHAINCODE, "kv")
        key = f"redial-{uuid.uuid4().hex[:8]}"
        kv.submit("Put", key, "before")

        fault_network.kill_chaincode(signal.SIGKILL)
        with pytest.raises(EvaluateError) as down:
            kv.evaluate("Get", key)
        assert classify(down.value).disposition is Disposition.UNAVAILABLE
        with pytest.raises(EndorseError) as refused:
            kv.submit("Put", key, "while down")
        assert classify(refused.value).disposition is Disposition.UNAVAILABLE
        assert "not reachable" in str(refused.value) or "terminated" in str(refused.value)

        fault_network.start_chaincode()  # same address, same package id: nothing redeployed
        eventually(lambda: answers(kv, "Noop"), "chaincode answers after its restart")
        kv.submit("Put", key, "after")
        assert kv.evaluate("Get", key) == b"after"


def test_hung_transaction_times_out_cleanly_on_both_sides(fault_network: FaultNetwork) -> None:
    chaincode = SlowChaincode()
    server = serve_slow_chaincode(
        fault_network.home, fault_network.extra_chaincode_ports[SLOW], chaincode
    )
    try:
        with fault_network.connect() as gateway:
            slow = gateway.network(CHANNEL).contract(SLOW)
            eventually(lambda: answers(slow, "Ping"), "slow chaincode registered")
            key = f"late-{uuid.uuid4().hex[:8]}"

            with pytest.raises(EndorseError) as timed_out:
                slow.submit("Sleep", str(EXECUTE_TIMEOUT_SECONDS * 3), key, endorsing_orgs=[ORG])
            assert "timeout expired while executing transaction" in str(timed_out.value)
            assert classify(timed_out.value).disposition is Disposition.TRANSIENT
            # contract code that blocks holds up its stream (one thread per stream, as in
            # Hyperledger's Node shim); the stream serves again once it returns
            assert chaincode.finished.wait(HANG_GUARD_SECONDS)
            eventually(lambda: server.in_flight == 0, "shim has no transaction left in flight")
            assert chaincode.late_write_errors, "the late write should have been refused"
            assert slow.evaluate("Get", key) == b""  # nothing was written
            assert slow.evaluate("Ping") == b"pong"
    finally:
        server.stop(grace=None)
