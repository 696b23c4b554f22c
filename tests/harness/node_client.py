"""Runs Hyperledger's Node Gateway client (tests/conformance/node/client/scenario.mjs)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gridledger_network.processes import clean_environment

from harness.layout import NODE_CLIENT_SCRIPT, NODE_DIR

HANG_GUARD_SECONDS = 180.0


class NodeClientError(RuntimeError):
    """The Node client exited non-zero or printed no JSON; the message has its stderr."""


def run_node_client(
    network_json: Path,
    msp_id: str,
    chaincode: str,
    *,
    user: str = "User1",
    contract: str = "",
    extra: Sequence[str] = (),
) -> dict[str, Any]:
    """Run one scenario (``extra`` e.g. ``["--scenario", "conformance", "--prefix", p]``)."""
    node = shutil.which("node")
    if node is None:
        raise NodeClientError("node is not on PATH")
    argv = [
        node,
        str(NODE_CLIENT_SCRIPT),
        "--network",
        str(network_json),
        "--org",
        msp_id,
        "--user",
        user,
        "--chaincode",
        chaincode,
        *(["--contract", contract] if contract else []),
        *extra,
    ]
    completed = subprocess.run(
        argv,
        cwd=NODE_DIR,
        env=clean_environment({}),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        raise NodeClientError(
            f"node client exited {completed.returncode}:\n{completed.stderr[-4000:]}"
        )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise NodeClientError(f"node client printed no JSON:\n{completed.stdout[-2000:]}")
    return json.loads(lines[-1])  # type: ignore[no-any-return]
