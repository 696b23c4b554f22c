"""A devnet of one's own for fault tests: SIGKILL it, restart it, kill and restart its chaincode.

Unlike the session devnet (shared by integration tests), each ``FaultNetwork`` lives in its own
home on its own free ports, so killing it disturbs no other test. Restarts reuse the home and the
ports: the ledger, crypto material and ``devnet.yaml`` stay, as after a real crash.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridledger.gateway import GatewayError, Timeouts
from gridledger_network.devnet.launcher import start_devnet
from gridledger_network.processes import ManagedProcess, NodeStartError, free_ports
from harness.chaincode_servers import start_python_chaincode
from harness.devnet import ORGS, PYTHON_CHAINCODE, devnet_config
from harness.layout import ChaincodeTls

CHANNEL = "energy"
READY_DEADLINE_SECONDS = 60.0
FAST_TIMEOUTS = Timeouts(evaluate=5.0, endorse=10.0, submit=5.0, commit_status=10.0)


def _reap(pid: int) -> None:
    """Wait for a killed child of ours (the launcher forks the devnet from this process)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


@dataclass
class FaultNetwork:
    home: Path
    config: dict[str, Any]
    chaincode_port: int
    extra_env: Mapping[str, str] = field(default_factory=dict)
    extra_chaincode_ports: dict[str, int] = field(default_factory=dict)
    devnet_pid: int | None = None
    chaincode: ManagedProcess | None = None
    devnet_starts: int = 0
    chaincode_starts: int = 0

    # -- devnet -------------------------------------------------------------------------------
    def start_devnet(self) -> None:
        saved = {name: os.environ.get(name) for name in self.extra_env}
        os.environ.update(self.extra_env)
        try:
            handle = start_devnet(self.home, self.config, timeout=60.0, log_level="WARNING")
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        self.devnet_pid = handle.pid
        self.devnet_starts += 1

    def kill_devnet(self) -> None:
        """SIGKILL: no flush, no cleanup, exactly as a crash."""
        self._end_devnet(signal.SIGKILL)

    def stop_devnet(self) -> None:
        self._end_devnet(signal.SIGTERM)

    def _end_devnet(self, signum: int) -> None:
        if self.devnet_pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.devnet_pid, signum)
            _reap(self.devnet_pid)
            self.devnet_pid = None

    # -- chaincode server ---------------------------------------------------------------------
    def start_chaincode(self) -> None:
        tls = ChaincodeTls.of_home(self.home)
        if not tls.exists():
            raise NodeStartError(f"devnet wrote no chaincode TLS pair in {tls.directory}")
        self.chaincode = start_python_chaincode(
            f"{PYTHON_CHAINCODE}_1.0:faults",
            self.chaincode_port,
            tls,
            self.home / "logs" / "python-chaincode.log",
        )
        self.chaincode_starts += 1

    def kill_chaincode(self, signum: int = signal.SIGKILL) -> None:
        if self.chaincode is not None:
            self.chaincode.process.send_signal(signum)
            self.chaincode.process.wait()
            self.chaincode = None

    # -- clients ------------------------------------------------------------------------------
    @property
    def profile(self) -> Any:
        from gridledger.profile import ConnectionProfile

        return ConnectionProfile.load(self.home / "network.json")

    def connect(self, msp_id: str = ORGS[0], user: str = "utility") -> Any:
        return self.profile.connect(msp_id, user=user, timeouts=FAST_TIMEOUTS)

    def answers(self) -> bool:
        """Every org's peer runs a ``kv:Noop`` through the chaincode."""
        try:
            profile = self.profile
            for msp_id in ORGS:
                with profile.connect(msp_id, user="User1", timeouts=FAST_TIMEOUTS) as gateway:
                    gateway.network(CHANNEL).contract(PYTHON_CHAINCODE, "kv").evaluate("Noop")
        except (GatewayError, OSError, ValueError):
            return False
        return True

    def wait_ready(self) -> None:
        give_up_at = time.monotonic() + READY_DEADLINE_SECONDS
        while not self.answers():
            if time.monotonic() > give_up_at:
                raise NodeStartError(f"fault network in {self.home} did not come back")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.chaincode is not None:
            self.chaincode.stop()
            self.chaincode = None
        self.stop_devnet()


def new_fault_network(
    home: Path,
    extra_env: Mapping[str, str] | None = None,
    extra_chaincodes: Sequence[str] = (),
) -> FaultNetwork:
    """``extra_chaincodes``: more CCaaS chaincodes the devnet dials (servers started by the test
    on ``extra_chaincode_ports[name]`` with the devnet's chaincode TLS pair)."""
    home.mkdir(parents=True, exist_ok=True)
    ports = free_ports(3 + len(extra_chaincodes))
    extra = dict(zip(extra_chaincodes, ports[3:], strict=True))
    config = devnet_config(
        dict(zip(ORGS, ports[:2], strict=True)), {PYTHON_CHAINCODE: ports[2], **extra}
    )
    return FaultNetwork(home, config, ports[2], dict(extra_env or {}), extra)


@contextlib.contextmanager
def running_fault_network(
    home: Path,
    extra_env: Mapping[str, str] | None = None,
    extra_chaincodes: Sequence[str] = (),
) -> Iterator[FaultNetwork]:
    network = new_fault_network(home, extra_env, extra_chaincodes)
    try:
        network.start_devnet()
        network.start_chaincode()
        network.wait_ready()
        yield network
    finally:
        network.stop()
