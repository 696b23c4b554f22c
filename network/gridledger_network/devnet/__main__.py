"""``python -m gridledger_network.devnet --home DIR [--log-level LEVEL]``: run the devnet.

Runs in the foreground until SIGTERM or SIGINT; ``gridledger network up`` detaches it. A devnet
already running in DIR, a taken port or any other GridLedger error ends it with one line on
stderr and status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from pathlib import Path

from gridledger_domain.command import run_command
from gridledger_domain.errors import GridLedgerError

from gridledger_network.processes import pid_alive, read_pid

PROG = "devnet"
GC_THRESHOLD_YOUNG = 10_000


def default_home() -> Path:
    return Path(os.environ.get("GRIDLEDGER_HOME", ".devnet"))


class AlreadyRunning(GridLedgerError):
    """A devnet already runs in this home."""


async def _serve(home: Path) -> int:
    from gridledger_network.devnet.server import PID_FILE, Devnet

    pid = read_pid(home / PID_FILE)
    if pid is not None and pid != os.getpid() and pid_alive(pid):
        raise AlreadyRunning(f"already running in {home} (pid {pid})")
    devnet = Devnet(home)
    await devnet.start()
    # the start-up objects (protobuf descriptors, grpc, crypto) never die: keep them out of
    # the collector's scans, and collect the young generation less often under load
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD_YOUNG, *gc.get_threshold()[1:])
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, devnet.request_stop)
    try:
        await devnet.run_until_stopped()
    finally:
        await devnet.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gridledger-devnet", description=__doc__)
    parser.add_argument("--home", type=Path, default=None, help="devnet folder (default ./.devnet)")
    parser.add_argument("--log-level", default="WARNING", help="logging level (default WARNING)")
    args = parser.parse_args(argv)
    home: Path = (args.home or default_home()).resolve()
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return run_command(PROG, lambda: asyncio.run(_serve(home)))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
