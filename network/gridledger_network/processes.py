"""The one place GridLedger starts, watches and stops processes, and chooses or checks ports.

Every process is started detached (its own session), stdin closed, stdout and stderr appended
to its log. A process a later command must find again (a Fabric node, a served chaincode) is
started with ``start_process`` under a ``RunFolder``: ``home/run/<name>.pid`` records the real
process (no wrapper shell), so ``stop_process`` and CPU accounting hit the right one. A process
owned by the caller (a test's or benchmark's chaincode server) is started with ``spawn``.
Ports are on 127.0.0.1: ``free_ports`` hands out unused ones, ``check_ports_free`` names every
taken one before anything starts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gridledger_domain.errors import GridLedgerError

HOST = "127.0.0.1"
STOP_GRACE_SECONDS = 10.0
LOG_TAIL_LINES = 30
KEPT_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


class PortTaken(GridLedgerError):
    """A port the network needs is already in use; ``ports`` lists every taken one."""

    def __init__(self, message: str, ports: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.ports = tuple(ports)


class NodeStartError(GridLedgerError):
    """A process exited or did not become ready in time.

    The first line names the process and its log; the end of the log follows."""


# -- pids ------------------------------------------------------------------------------------------
def read_pid(pid_file: Path) -> int | None:
    """The pid recorded in ``pid_file``, or None if there is none."""
    try:
        return int(pid_file.read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a child of ours that exited is reaped and counts as gone)."""
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


def stop_pid(pid: int, grace: float = STOP_GRACE_SECONDS) -> bool:
    """SIGTERM, then SIGKILL after ``grace`` seconds; wait until gone. False if not running."""
    if not pid_alive(pid):
        return False
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
    return True


def log_tail(log_path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


# -- ports -----------------------------------------------------------------------------------------
def free_ports(count: int) -> list[int]:
    """``count`` distinct ports the kernel just handed out on 127.0.0.1, all held until chosen."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((HOST, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def port_accepts(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def check_ports_free(owners: Mapping[int, str], config_file: str) -> None:
    """Raise ``PortTaken`` naming every port in ``owners`` (port -> what needs it) already held."""
    taken = [port for port in sorted(owners) if not port_free(port)]
    if taken:
        named = ", ".join(f"{port} ({owners[port]})" for port in taken)
        raise PortTaken(
            f"port(s) already in use on {HOST}: {named}; stop what holds them "
            f"or choose other ports in {config_file}",
            taken,
        )


# -- starting and watching -------------------------------------------------------------------------
def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """A minimal environment (PATH, HOME, locale, TMPDIR) plus ``extra``: no CORE_* leaks in."""
    env = {k: v for k, v in os.environ.items() if k in KEPT_ENVIRONMENT}
    env.update(extra)
    return env


@dataclass
class ManagedProcess:
    """A process this one started (``spawn``/``start_process``); ``stop`` ends it."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    pid_file: Path | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return log_tail(self.log_path, lines)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        if self.alive:
            stop_pid(self.pid, grace)
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class RunFolder:
    """``home/run/<name>.pid`` and ``home/logs/<name>.log``."""

    home: Path

    def pid_file(self, name: str) -> Path:
        return self.home / "run" / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.home / "logs" / f"{name}.log"

    def pid(self, name: str) -> int | None:
        return read_pid(self.pid_file(name))

    def names(self) -> list[str]:
        folder = self.home / "run"
        return sorted(p.stem for p in folder.glob("*.pid")) if folder.is_dir() else []

    def running(self, name: str) -> bool:
        pid = self.pid(name)
        return pid is not None and pid_alive(pid)

    def log_tail(self, name: str, lines: int = LOG_TAIL_LINES) -> str:
        return log_tail(self.log_file(name), lines)


def spawn(
    name: str,
    argv: Sequence[str],
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    pid_file: Path | None = None,
) -> ManagedProcess:
    """Start ``argv`` detached, output appended to ``log_path``; record its pid if asked."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=str(cwd) if cwd else None,
            start_new_session=True,
            close_fds=True,
        )
    if pid_file is not None:
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        pid_file.write_text(f"{process.pid}\n", encoding="utf-8")
    return ManagedProcess(name, process, log_path, pid_file)


def start_process(
    run: RunFolder,
    name: str,
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ManagedProcess:
    """``spawn`` with the log and pid file of ``name`` in ``run``."""
    return spawn(name, argv, run.log_file(name), env=env, cwd=cwd, pid_file=run.pid_file(name))


def _poll(
    ready: Callable[[], bool],
    alive: Callable[[], bool],
    name: str,
    log_path: Path,
    what: str,
    deadline_seconds: float,
    interval_seconds: float,
) -> None:
    give_up_at = time.monotonic() + deadline_seconds
    while not ready():
        if not alive():
            failure = f"{name} exited before {what}"
        elif time.monotonic() > give_up_at:
            failure = f"{name}: no {what} after {deadline_seconds:.0f}s"
        else:
            time.sleep(interval_seconds)
            continue
        raise NodeStartError(f"{failure} (log {log_path}):\n{log_tail(log_path)}")


def wait_until(
    ready: Callable[[], bool],
    *,
    owner: ManagedProcess,
    what: str,
    deadline_seconds: float = 60.0,
    interval_seconds: float = 0.1,
) -> None:
    """Poll ``ready`` until it holds; raise ``NodeStartError`` if ``owner`` exits or time is up."""
    _poll(
        ready,
        lambda: owner.alive,
        owner.name,
        owner.log_path,
        what,
        deadline_seconds,
        interval_seconds,
    )


def wait_recorded(
    run: RunFolder,
    name: str,
    ready: Callable[[], bool],
    what: str,
    deadline_seconds: float,
    interval_seconds: float = 0.1,
) -> None:
    """``wait_until`` for process ``name`` of ``run``, whichever command started it."""
    _poll(
        ready,
        lambda: run.running(name),
        name,
        run.log_file(name),
        what,
        deadline_seconds,
        interval_seconds,
    )


def wait_listening(
    run: RunFolder, name: str, ports: Sequence[int], timeout: float, host: str = HOST
) -> None:
    """Wait until every port of ``host`` accepts; fail fast with the log if the process exits."""
    wait_recorded(
        run,
        name,
        lambda: all(port_accepts(p, host) for p in ports),
        f"listening on {host}:{list(ports)}",
        timeout,
    )


def stop_process(run: RunFolder, name: str, grace: float = STOP_GRACE_SECONDS) -> bool:
    """Stop process ``name`` of ``run`` (see ``stop_pid``); remove its pid file."""
    pid = run.pid(name)
    was_running = pid is not None and stop_pid(pid, grace)
    run.pid_file(name).unlink(missing_ok=True)
    return was_running
