"""The devnet's connection profile (``network.json``): endpoints, TLS roots and users per org.

An organisation lists one peer (``peer_endpoint``, ``peer_host``) or several, in order of
preference (``peer_endpoints``: ``"host:port"`` strings or ``{"endpoint": ..., "host": ...}``).
With several, ``connect`` dials the first that accepts a TCP connection within
``probe_timeout`` seconds and raises ``PeersUnreachable`` naming every endpoint tried when none
does; with one, the connection is lazy as before (a dead peer fails the first call).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import grpc
from gridledger.errors import GridLedgerError
from gridledger.fabric.identity import Identity
from gridledger.fabric.msp import load_msp
from gridledger.fabric.signer import Signer
from gridledger.gateway import AsyncGateway, Gateway, GatewayError, aconnect, connect
from gridledger.gateway.errors import ErrorDetail
from gridledger.gateway.timeouts import Timeouts

PROFILE_NAME = "network.json"

G = TypeVar("G", Gateway, AsyncGateway)

PROBE_TIMEOUT = 2.0  # seconds a TCP connect to one of several peers may take


class ProfileError(GridLedgerError, ValueError):
    """The profile does not know the organisation or user asked for, or is malformed."""


class PeersUnreachable(GatewayError):
    """None of an organisation's peers accepted a connection; ``details`` has one entry per
    endpoint tried, in order, with the reason (``grpc_code_name`` is ``UNAVAILABLE``)."""

    step = "connect"

    def __init__(self, msp_id: str, attempts: list[tuple[str, str]]) -> None:
        tried = "; ".join(f"{address}: {reason}" for address, reason in attempts)
        super().__init__(
            f"no peer of {msp_id} is reachable (tried {tried})",
            grpc_code=grpc.StatusCode.UNAVAILABLE,
            details=[ErrorDetail(address, msp_id, reason) for address, reason in attempts],
        )
        self.msp_id = msp_id
        self.endpoints = [address for address, _ in attempts]


@dataclass(frozen=True)
class PeerAddress:
    endpoint: str  # "host:port"
    host: str = ""  # the TLS server name of the peer, when it differs from the address's


@dataclass(frozen=True)
class OrganizationProfile:
    msp_id: str
    peer_endpoint: str
    peer_host: str
    tls_ca_cert: Path
    users: dict[str, Path] = field(default_factory=dict)
    peers: tuple[PeerAddress, ...] = ()  # every peer in order of preference; () means the one

    @property
    def peer_addresses(self) -> tuple[PeerAddress, ...]:
        return self.peers or (PeerAddress(self.peer_endpoint, self.peer_host),)

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
    probe_timeout: float = PROBE_TIMEOUT

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
                msp_id: _organization(msp_id, org, base)
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
        """``connect`` or ``aconnect`` to ``msp_id``'s first reachable peer as ``user``."""
        org = self.organization(msp_id)
        identity, signer = self.identity(msp_id, user)
        peer = first_reachable(msp_id, org.peer_addresses, self.probe_timeout)
        return dial(
            peer.endpoint,
            identity=identity,
            signer=signer,
            tls_root_cert=org.tls_ca_cert.read_bytes(),
            host_override=peer.host if org.peers and peer.host else None,
            timeouts=timeouts,
        )


def _organization(msp_id: str, org: dict[str, Any], base: Path) -> OrganizationProfile:
    peers = tuple(_peer_address(entry) for entry in org.get("peer_endpoints") or [])
    first = peers[0] if peers else PeerAddress(str(org["peer_endpoint"]), "")
    return OrganizationProfile(
        msp_id=msp_id,
        peer_endpoint=str(org.get("peer_endpoint", first.endpoint)),
        peer_host=str(org.get("peer_host", first.host)),
        tls_ca_cert=base / str(org["tls_ca_cert"]),
        users={name: base / str(msp) for name, msp in org.get("users", {}).items()},
        peers=peers,
    )


def _peer_address(entry: Any) -> PeerAddress:
    if isinstance(entry, str):
        return PeerAddress(entry)
    return PeerAddress(str(entry["endpoint"]), str(entry.get("host", "")))


def first_reachable(
    msp_id: str, peers: tuple[PeerAddress, ...], probe_timeout: float = PROBE_TIMEOUT
) -> PeerAddress:
    """The first of ``peers`` accepting a TCP connection (the only one, unprobed, if just one);
    ``PeersUnreachable`` naming each endpoint tried and why when none does."""
    if len(peers) == 1:
        return peers[0]
    attempts: list[tuple[str, str]] = []
    for peer in peers:
        host, _, port = peer.endpoint.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=probe_timeout):
                return peer
        except (OSError, ValueError) as err:
            attempts.append((peer.endpoint, str(err) or type(err).__name__))
    raise PeersUnreachable(msp_id, attempts)
