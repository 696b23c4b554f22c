"""Open and end many chaincode streams in one process while another thread keeps collecting
garbage: streams ended by the peer cancelling, by closing its channel, by dropping it, with or
without the server stopping, each with transactions still waiting for the peer.

Run as a script (``python stream_churn.py SEED ITERATIONS``) so that a crash of the interpreter
(a greenlet freed by the wrong thread once segfaulted here) shows as the process's exit code.
"""

from __future__ import annotations

import gc
import os
import random
import sys
import threading
import time

from chaincode_fake_peer import FakePeer, Msg, message, transaction
from gridledger_chaincode.contracts import build_chaincode
from gridledger_chaincode.shim.messages import PeerCapabilities, encode_peer_capabilities
from gridledger_chaincode.shim.server import ChaincodeServer
from gridledger_chaincode.shim.settings import ServerSettings


def _collect_until(done: threading.Event) -> None:
    while not done.is_set():
        gc.collect()
        time.sleep(0.001)


def churn(seed: int, iterations: int) -> None:
    rng = random.Random(seed)
    done = threading.Event()
    threading.Thread(target=_collect_until, args=(done,), daemon=True).start()
    ready = encode_peer_capabilities(PeerCapabilities())
    for _ in range(iterations):
        server = ChaincodeServer(
            build_chaincode(), ServerSettings(address="127.0.0.1:0", chaincode_id="churn:1")
        )
        server.start()
        peer: FakePeer | None = FakePeer(f"127.0.0.1:{server.port}")
        assert peer is not None
        peer.recv()  # REGISTER
        peer.send(message(Msg.REGISTERED))
        peer.send(message(Msg.READY, payload=ready))
        waiting = rng.randint(1, 8)
        for index in range(waiting):
            peer.send(transaction(f"t{index}", "kv:Get", "k"))
        for _ in range(rng.randint(0, waiting)):
            peer.recv()
        ending = rng.choice(("cancel", "close", "drop"))
        if ending == "cancel":
            peer.call.cancel()
        elif ending == "close":
            peer.channel.close()
        peer = None
        if rng.random() < 0.5:
            server.stop(None)
        del server
    done.set()


if __name__ == "__main__":
    churn(int(sys.argv[1]), int(sys.argv[2]))
    sys.stdout.flush()
    os._exit(0)  # servers left running on purpose: do not wait for their threads
