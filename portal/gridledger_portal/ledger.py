"""The portal's way to the ledger: one asyncio energy client per Fabric identity of its
organisation, each signing as that identity (never a shared one), opened on first use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gridledger.energy import AsyncEnergyClient
from gridledger.energy.client import CONTRACT
from gridledger.gateway import AsyncGateway, AsyncNetwork
from gridledger.profile import ConnectionProfile

from gridledger_portal.errors import AccountError
from gridledger_portal.events import LiveFeed
from gridledger_portal.settings import PortalSettings


@dataclass
class Identity:
    """One identity's gateway, channel, energy client and live market events."""

    gateway: AsyncGateway
    network: AsyncNetwork
    energy: AsyncEnergyClient
    feed: LiveFeed


class Ledger:
    """Energy clients by identity name (a user of the organisation in ``network.json``)."""

    def __init__(
        self, settings: PortalSettings, on_market_event: Callable[[], None] = lambda: None
    ) -> None:
        self.settings = settings
        self.on_market_event = on_market_event
        self.profile = load_profile(settings)
        self._identities: dict[str, Identity] = {}

    def identity(self, name: str) -> Identity:
        """``name``'s connection, opened on first use."""
        found = self._identities.get(name)
        if found is None:
            gateway = self.profile.aconnect(self.settings.org, user=name)
            network = gateway.network(self.profile.channel)
            energy = AsyncEnergyClient(
                network.contract(self.settings.chaincode, CONTRACT),
                gateway=None,
                timeout=self.settings.ledger_timeout,
            )
            feed = LiveFeed(network, self.settings.chaincode, self.on_market_event)
            found = self._identities[name] = Identity(gateway, network, energy, feed)
        return found

    def energy(self, name: str) -> AsyncEnergyClient:
        return self.identity(name).energy

    async def close(self) -> None:
        identities, self._identities = list(self._identities.values()), {}
        for identity in identities:
            identity.feed.close()
            await identity.gateway.close()


def load_profile(settings: PortalSettings) -> ConnectionProfile:
    if not settings.profile_path.exists():
        raise AccountError(
            f"no connection profile at {settings.profile_path}: start the network "
            "(`gridledger network up --home ...`) or pass the right --home"
        )
    profile = ConnectionProfile.load(settings.profile_path)
    profile.organization(settings.org)  # an unknown organisation fails here
    return profile


def organisation_identities(settings: PortalSettings) -> list[str]:
    """The identities (user MSP folders) of the portal's organisation."""
    return sorted(load_profile(settings).organization(settings.org).users)
