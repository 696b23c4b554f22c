"""CPU time and peak resident memory of running processes, read from ``/proc/<pid>``."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class CpuSample:
    pid: int
    cpu_seconds: float  # user + system time so far


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time ``pid`` has used, in seconds (0.0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            text = stat.read()
    except OSError:
        return 0.0
    # the command name (field 2) may hold spaces; the fields after it start at the last ')'
    fields = text[text.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLOCK_TICKS_PER_SECOND


def peak_rss_bytes(pid: int) -> int:
    """``VmHWM`` of ``pid``: the peak resident set since start or since ``reset_peak_rss``."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def reset_peak_rss(pid: int) -> None:
    """Start a new peak-RSS window for ``pid`` (Linux ``clear_refs`` 5); ignored where refused."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as f:
        f.write("5")
