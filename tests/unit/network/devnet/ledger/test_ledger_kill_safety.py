"""A devnet killed (SIGKILL) while committing leaves the ledger at a whole block, chain intact."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from gridledger_network.devnet.channel import open_channel
from gridledger_network.devnet.config import DevnetConfig
from gridledger_network.devnet.ledger import block_header_hash, compute_data_hash

KEYS_PER_BLOCK = 300

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from devnet_ledger_helpers import RWSet, endorser_tx, user_signer
    from gridledger_network.devnet.channel import open_channel
    from gridledger_network.devnet.config import default_config

    channel = open_channel(Path(sys.argv[1]), default_config())
    writer = channel.new_block_writer()
    client, peers = user_signer(channel), list(channel.peer_signers.values())
    n = 0
    while True:
        n += 1
        writes = {f"b{n:05d}-{j:04d}": b"x" * 64 for j in range(KEYS_PER_BLOCK)}
        writes["counter"] = str(n).encode()
        writer.write([endorser_tx(client, peers, RWSet(writes=writes)).envelope])
    """.replace("KEYS_PER_BLOCK", str(KEYS_PER_BLOCK))
)


def _height(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            row = conn.execute("SELECT max(number) FROM blocks").fetchone()
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    return 0 if row is None or row[0] is None else row[0] + 1


def test_sigkill_during_commits_leaves_a_consistent_ledger(
    devnet_home: Path, config: DevnetConfig
) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parent), *sys.path]))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(devnet_home)], env=env)
    db = devnet_home / "ledger" / "ledger.sqlite"
    try:
        deadline = time.monotonic() + 60
        while _height(db) < 6 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.poll() is None, "the committing child died on its own"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()

    channel = open_channel(devnet_home, config)
    ledger = channel.ledger
    height = ledger.height
    assert height >= 6
    previous = b""
    for n in range(height):
        block = ledger.block(n)
        assert block.header.previous_hash == previous
        assert block.header.data_hash == compute_data_hash(list(block.data.data))
        previous = block_header_hash(block.header)
    last = height - 1
    counter = ledger.get_state("gridledger", "counter")
    assert counter is not None and counter.value == str(last).encode()
    assert len(list(ledger.range("gridledger", f"b{last:05d}-", f"b{last:05d}."))) == KEYS_PER_BLOCK
    assert list(ledger.range("gridledger", f"b{height:05d}-", "c")) == []
    assert len(list(ledger.history("gridledger", "counter"))) == last
    channel.close()
