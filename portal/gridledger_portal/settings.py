"""The portal's one settings object: where the network lives, which organisation it serves,
how it listens, and its limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NETWORK_FILE = "network.json"
PORTAL_FOLDER = "portal"


@dataclass(frozen=True)
class PortalSettings:
    """``home``: the network's home folder (its ``network.json``; the portal keeps its
    accounts in ``home/portal/<org>.sqlite``, owner-only). ``org``: the organisation (MSP id)
    whose gateway the portal uses and whose identities its accounts are bound to."""

    home: Path
    org: str
    host: str = "127.0.0.1"
    port: int = 8080
    tls_cert: Path | None = None
    tls_key: Path | None = None
    chaincode: str = "gridledger"
    max_body_bytes: int = 4 * 1024 * 1024
    session_seconds: int = 12 * 3600
    sign_in_attempts: int = 5
    sign_in_window_seconds: float = 60.0
    ledger_timeout: float | None = 30.0
    event_heartbeat_seconds: float = 15.0
    market_cache_seconds: float = 0.5
    """How long an open-offers answer is reused (``market_cache``; 0: never)."""

    @property
    def profile_path(self) -> Path:
        return self.home / NETWORK_FILE

    @property
    def folder(self) -> Path:
        return self.home / PORTAL_FOLDER

    @property
    def database(self) -> Path:
        return self.folder / f"{self.org}.sqlite"

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"
