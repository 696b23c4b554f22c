"""The peers a gateway can reach: on the devnet, every organisation's endorser in this process."""

from __future__ import annotations

from dataclasses import dataclass

from gridledger_network.devnet.endorser import Endorser


@dataclass(frozen=True, slots=True)
class PeerNode:
    msp_id: str
    address: str  # the peer's endpoint, as named in error details
    endorser: Endorser
