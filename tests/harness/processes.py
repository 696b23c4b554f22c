"""Child processes with their output in a log file, stopped politely then firmly."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

STOP_GRACE_SECONDS = 10.0


class StartupError(RuntimeError):
    """A process did not come up; the message carries the end of its log."""


@dataclass
class ManagedProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if not self.alive:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def spawn(
    name: str,
    argv: Sequence[str],
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ManagedProcess:
    """Start ``argv`` with stdout and stderr appended to ``log_path``."""
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
        )
    return ManagedProcess(name, process, log_path)


def wait_until(
    ready: Callable[[], bool],
    *,
    owner: ManagedProcess,
    what: str,
    deadline_seconds: float = 60.0,
    interval_seconds: float = 0.1,
) -> None:
    """Poll ``ready`` until it holds; fail fast with the log if ``owner`` exits or time runs out."""
    give_up_at = time.monotonic() + deadline_seconds
    while True:
        if ready():
            return
        if not owner.alive:
            raise StartupError(
                f"{owner.name} exited with {owner.process.returncode} before {what}:\n"
                f"{owner.log_tail()}"
            )
        if time.monotonic() > give_up_at:
            raise StartupError(
                f"{owner.name}: no {what} after {deadline_seconds:.0f}s:\n{owner.log_tail()}"
            )
        time.sleep(interval_seconds)


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """A minimal environment (PATH, HOME, locale) plus ``extra``: nothing from CORE_* leaks in."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    base = {k: v for k, v in os.environ.items() if k in keep}
    base.update(extra)
    return base
