"""The network's processes: started detached, pid files and logs under the home folder.

The pid recorded is the real ``peer``/``orderer``/chaincode process (no wrapper shell), so
``down`` and CPU accounting hit the right process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
STOP_GRACE_SECONDS = 10.0


class PortTaken(RuntimeError):
    """A port the network needs is already in use."""


class NodeStartError(RuntimeError):
    """A process exited or did not listen in time; the message carries the end of its log."""


@dataclass(frozen=True, slots=True)
class RunFolder:
    """``home/run/<name>.pid`` and ``home/logs/<name>.log``."""

    home: Path

    def pid_file(self, name: str) -> Path:
        return self.home / "run" / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.home / "logs" / f"{name}.log"

    def pid(self, name: str) -> int | None:
        try:
            return int(self.pid_file(name).read_text(encoding="utf-8").strip())
        except (FileNotFoundError, ValueError):
            return None

    def names(self) -> list[str]:
        folder = self.home / "run"
        return sorted(p.stem for p in folder.glob("*.pid")) if folder.is_dir() else []

    def running(self, name: str) -> bool:
        pid = self.pid(name)
        return pid is not None and pid_alive(pid)

    def log_tail(self, name: str, lines: int = 30) -> str:
        try:
            text = self.log_file(name).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def pid_alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def check_ports_free(owners: Mapping[int, str]) -> None:
    """Raise ``PortTaken`` naming every port in ``owners`` that something already holds."""
    taken = [f"{port} ({owner})" for port, owner in sorted(owners.items()) if not port_free(port)]
    if taken:
        raise PortTaken(
            f"port(s) already in use on {HOST}: {', '.join(taken)}; stop what holds them "
            "or choose other ports in fabric.yaml"
        )


def start_process(
    run: RunFolder,
    name: str,
    argv: Sequence[str],
    env: Mapping[str, str],
    cwd: Path | None = None,
) -> int:
    """Start ``argv`` detached (own session), output appended to its log; write its pid file."""
    log_path = run.log_file(name)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    run.pid_file(name).parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=str(cwd) if cwd else None,
            start_new_session=True,
            close_fds=True,
        )
    run.pid_file(name).write_text(f"{process.pid}\n", encoding="utf-8")
    return process.pid


def wait_listening(run: RunFolder, name: str, ports: Sequence[int], timeout: float) -> None:
    """Wait until every port accepts; fail fast with the log if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not run.running(name):
            raise NodeStartError(f"{name} exited while starting:\n{run.log_tail(name)}")
        if all(port_accepts(p) for p in ports):
            return
        time.sleep(0.1)
    raise NodeStartError(
        f"{name} did not listen on {list(ports)} in {timeout:.0f}s:\n{run.log_tail(name)}"
    )


def stop_process(run: RunFolder, name: str, grace: float = STOP_GRACE_SECONDS) -> bool:
    """SIGTERM, then SIGKILL after ``grace`` seconds; remove the pid file. False if not running."""
    pid = run.pid(name)
    was_running = pid is not None and pid_alive(pid)
    if pid is not None and was_running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            while pid_alive(pid):
                time.sleep(0.05)
    with contextlib.suppress(FileNotFoundError):
        run.pid_file(name).unlink()
    return was_running
