"""The devnet's connection profile (``network.json``): endpoints, TLS roots and users per org."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from gridledger.errors import GridLedgerError
from gridledger.fabric.identity import Identity
from gridledger.fabric.msp import load_msp
from gridledger.fabric.signer import Signer
from gridledger.gateway import AsyncGateway, Gateway, aconnect, connect
from gridledger.gateway.timeouts import Timeouts

PROFILE_NAME = "network.json"

G = TypeVar("G", Gateway, AsyncGateway)


class ProfileError(GridLedgerError, ValueError):
    """The profile does not know the organisation or user asked for, or is malformed."""


@dataclass(frozen=True)
class OrganizationProfile:
    msp_id: str
    peer_endpoint: str
    peer_host: str
    tls_ca_cert: Path
    users: dict[str, Path] = field(default_factory=dict)

    def user_msp(self, user: str) -> Path:
        try:
            return self.users[user]
        except KeyError:
            known = ", ".join(sorted(self.users)) or "none"
            raise ProfileError(f"{self.msp_id} has no user {user!r} (known: {known})") from None


@dataclass(frozen=True)
class ConnectionProfile:
    channel: str
    organizations: dict[str, OrganizationProfile]
    chaincodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    pid: int | None = None
    path: Path | None = None

    @staticmethod
    def default_path() -> Path:
        """``$GRIDLEDGER_HOME/network.json``, else ``./.devnet/network.json``."""
        return Path(os.environ.get("GRIDLEDGER_HOME", ".devnet")) / PROFILE_NAME

    @classmethod
    def load(cls, path: str | Path | None = None) -> ConnectionProfile:
        """Read a profile file (or a devnet home folder holding ``network.json``)."""
        location = Path(path) if path is not None else cls.default_path()
        if location.is_dir():
            location = location / PROFILE_NAME
        try:
            document = json.loads(location.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ProfileError(f"no connection profile at {location}") from None
        return cls.from_dict(document, location)

    @classmethod
    def from_dict(cls, document: dict[str, Any], path: Path | None = None) -> ConnectionProfile:
        base = path.parent if path is not None else Path.cwd()
        try:
            organizations = {
                msp_id: OrganizationProfile(
                    msp_id=msp_id,
                    peer_endpoint=str(org["peer_endpoint"]),
                    peer_host=str(org.get("peer_host", "")),
                    tls_ca_cert=base / str(org["tls_ca_cert"]),
                    users={name: base / str(msp) for name, msp in org.get("users", {}).items()},
                )
                for msp_id, org in document["organizations"].items()
            }
            return cls(
                channel=str(document["channel"]),
                organizations=organizations,
                chaincodes=dict(document.get("chaincodes", {})),
                pid=int(document["pid"]) if document.get("pid") is not None else None,
                path=path,
            )
        except (KeyError, TypeError, AttributeError) as err:
            raise ProfileError(f"malformed connection profile {path}: {err!r}") from err

    def organization(self, msp_id: str) -> OrganizationProfile:
        try:
            return self.organizations[msp_id]
        except KeyError:
            known = ", ".join(sorted(self.organizations))
            raise ProfileError(f"no organisation {msp_id!r} in the profile ({known})") from None

    def identity(self, msp_id: str, user: str = "User1") -> tuple[Identity, Signer]:
        """The identity and signer of ``user`` in ``msp_id``, from its MSP folder."""
        return load_msp(self.organization(msp_id).user_msp(user), msp_id)

    def connect(
        self, msp_id: str, user: str = "User1", timeouts: Timeouts | None = None
    ) -> Gateway:
        """A gateway to ``msp_id``'s peer, signing as ``user``."""
        return self._dial(connect, msp_id, user, timeouts)

    def aconnect(
        self, msp_id: str, user: str = "User1", timeouts: Timeouts | None = None
    ) -> AsyncGateway:
        """Like ``connect``, asyncio (call from a running event loop)."""
        return self._dial(aconnect, msp_id, user, timeouts)

    def _dial(self, dial: Callable[..., G], msp_id: str, user: str, timeouts: Timeouts | None) -> G:
        """``connect`` or ``aconnect`` to ``msp_id``'s peer with ``user``'s identity."""
        org = self.organization(msp_id)
        identity, signer = self.identity(msp_id, user)
        return dial(
            org.peer_endpoint,
            identity=identity,
            signer=signer,
            tls_root_cert=org.tls_ca_cert.read_bytes(),
            timeouts=timeouts,
        )
