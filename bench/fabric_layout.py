"""Which real-Fabric network P3 is measured on (``--fabric-orgs N --fabric-peers K``), and how the
readings worker's submissions are spread over it.

The layout names the organisations (the utility's first, as the bring-up expects), the chaincode
policy the bring-up uses by default for that many (docs/endorsement.md: both with two; the
utility AND any one other with more) and the *lanes*: one per (organisation, peer), peer-major
(every organisation's peer0 first, then every peer1), so the worker's in-flight loops reach every
organisation's gateway before a second peer of any.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from gridledger_domain.errors import GridLedgerError
from gridledger_network.devnet.config import default_endorsement_policy

ORG_NAMES = ("GridOperatorMSP", "ProsumerMSP", "RetailerMSP", "CommunityMSP")
MIN_ORGS = 2
MAX_PEERS = 4  # fabric.yaml's limit per organisation


class LayoutError(GridLedgerError, ValueError):
    """A layout or lane list that cannot be run; the message says what is allowed."""


class Lane(NamedTuple):
    """Readings submitted through ``msp_id``'s peer number ``peer``'s gateway."""

    msp_id: str
    peer: int


@dataclass(frozen=True, slots=True)
class FabricLayout:
    orgs: int = 2
    peers: int = 1

    def __post_init__(self) -> None:
        if not MIN_ORGS <= self.orgs <= len(ORG_NAMES):
            raise LayoutError(
                f"--fabric-orgs must be {MIN_ORGS} to {len(ORG_NAMES)} organisations "
                f"({', '.join(ORG_NAMES)}), got {self.orgs}"
            )
        if not 1 <= self.peers <= MAX_PEERS:
            raise LayoutError(
                f"--fabric-peers must be 1 to {MAX_PEERS} peers per organisation, got {self.peers}"
            )

    @property
    def msp_ids(self) -> tuple[str, ...]:
        return ORG_NAMES[: self.orgs]

    @property
    def policy(self) -> str:
        return default_endorsement_policy(list(self.msp_ids))

    @property
    def lanes(self) -> tuple[Lane, ...]:
        return tuple(Lane(msp, peer) for peer in range(self.peers) for msp in self.msp_ids)

    def describe(self) -> str:
        peers = "1 peer" if self.peers == 1 else f"{self.peers} peers"
        return f"{self.orgs} orgs x {peers}, endorsement {self.policy}"


def lane_text(lane: Lane) -> str:
    return f"{lane.msp_id}:{lane.peer}"


def format_lanes(lanes: tuple[Lane, ...]) -> str:
    return ",".join(lane_text(lane) for lane in lanes)


def parse_lanes(text: str) -> tuple[Lane, ...]:
    """``"GridOperatorMSP:0,ProsumerMSP:0"`` -> lanes; ``""`` -> none (the worker's one org)."""
    lanes: list[Lane] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        msp_id, sep, peer = item.rpartition(":")
        if not sep or not msp_id or not peer.isdigit():
            raise LayoutError(f"a lane is MSP:PEER (e.g. ProsumerMSP:1), got {item!r}")
        lanes.append(Lane(msp_id, int(peer)))
    if len(set(lanes)) != len(lanes):
        raise LayoutError(f"lanes must differ, got {text!r}")
    return tuple(lanes)


def loops_per_lane(inflight: int, lanes: int) -> list[int]:
    """How many of ``inflight`` loops each of ``lanes`` gets: round-robin, the first ones first."""
    if inflight < 1 or lanes < 1:
        raise LayoutError(f"need at least one loop and one lane, got {inflight} and {lanes}")
    return [inflight // lanes + (1 if index < inflight % lanes else 0) for index in range(lanes)]
