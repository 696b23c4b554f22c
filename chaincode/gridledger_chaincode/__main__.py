"""`python -m gridledger_chaincode` / `gridledger-chaincode`: serve the chaincode as CCaaS.

Settings come from CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID, CHAINCODE_TLS_DISABLED,
CHAINCODE_TLS_KEY, CHAINCODE_TLS_CERT, CHAINCODE_CLIENT_CA_CERT; CHAINCODE_LOG_LEVEL=debug (or
info) makes it talk. Bad settings end it with status 2; any other GridLedger error with one line on
stderr and status 1.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from types import FrameType

from gridledger_domain.command import run_command

from gridledger_chaincode.contracts import build_chaincode
from gridledger_chaincode.shim.server import ChaincodeServer
from gridledger_chaincode.shim.settings import ServerSettings, SettingsError

logger = logging.getLogger("gridledger_chaincode")


def main() -> int:
    return run_command("gridledger-chaincode", _serve)


def _serve() -> int:
    level_name = os.environ.get("CHAINCODE_LOG_LEVEL", "warning").strip().upper()
    level = getattr(logging, level_name, logging.WARNING)
    logging.basicConfig(
        level=level if isinstance(level, int) else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = ServerSettings.from_env(os.environ)
        server = ChaincodeServer(build_chaincode(), settings)
    except (SettingsError, OSError) as exc:
        logger.error("%s", exc)
        return 2
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.start()
    logger.info("serving chaincode %s on port %d", settings.chaincode_id, server.port)
    stopping.wait()
    server.stop(grace=2.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
