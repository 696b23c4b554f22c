"""Run Fabric's admin commands (``peer``, ``osnadmin``) as an organisation's Admin, with retries.

Orderers elect a Raft leader and peers catch up with the channel a few seconds after they
listen, so the commands that depend on that are retried until a deadline.
"""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gridledger_domain.errors import GridLedgerError

from gridledger_network.processes import clean_environment

log = logging.getLogger(__name__)


class AdminCommandError(GridLedgerError):
    """A Fabric admin command kept failing; the message has the command and its output."""


@dataclass(frozen=True, slots=True)
class CommandResult:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def peer_admin_env(
    config_dir: Path, msp_id: str, admin_msp: Path, peer_address: str, peer_tls_ca: Path
) -> dict[str, str]:
    """Environment for the ``peer`` CLI acting as ``msp_id``'s Admin against one peer."""
    return clean_environment(
        {
            "FABRIC_CFG_PATH": str(config_dir),
            "FABRIC_LOGGING_SPEC": "warning",
            "CORE_PEER_LOCALMSPID": msp_id,
            "CORE_PEER_MSPCONFIGPATH": str(admin_msp),
            "CORE_PEER_ADDRESS": peer_address,
            "CORE_PEER_TLS_ENABLED": "true",
            "CORE_PEER_TLS_ROOTCERT_FILE": str(peer_tls_ca),
        }
    )


def run_command(argv: Sequence[str], env: Mapping[str, str], timeout: float = 120) -> CommandResult:
    log.debug("running %s", " ".join(argv))
    try:
        done = subprocess.run(
            list(argv),
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as err:
        return CommandResult(-1, f"timed out after {timeout:.0f}s: {err.output or ''}")
    return CommandResult(done.returncode, done.stdout)


def run_until_ok(
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    what: str,
    deadline_seconds: float = 60.0,
    accept: Sequence[str] = (),
    interval: float = 0.5,
) -> CommandResult:
    """Retry ``argv`` until it succeeds or its output contains one of ``accept`` (already done)."""
    give_up = time.monotonic() + deadline_seconds
    while True:
        result = run_command(argv, env)
        if result.ok or any(marker in result.output for marker in accept):
            return result
        if time.monotonic() > give_up:
            raise AdminCommandError(
                f"{what} failed after {deadline_seconds:.0f}s: {' '.join(argv)}\n"
                f"{result.output[-3000:]}"
            )
        log.debug("%s not yet: %s", what, result.output.strip()[-300:])
        time.sleep(interval)
