"""Collecting endorsements for one proposal: Fabric's gateway plan (endorse.go, endorsement.go)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import grpc
from fabric_protos.peer import proposal_response_pb2

from gridledger_network.devnet.endorser import UnpackedProposal
from gridledger_network.devnet.gateway.errors import RpcError, error_detail
from gridledger_network.devnet.gateway.peers import PeerNode
from gridledger_network.devnet.gateway.policy_plan import (
    PlanError,
    layouts,
    requirements_for_interest,
)
from gridledger_network.devnet.gateway.response_status import reply_status

logger = logging.getLogger(__name__)

MISMATCH = "ProposalResponsePayloads do not match"


class EndorsementCollector:
    """Gathers matching endorsements from the orgs of the first layout that completes."""

    def __init__(self, local_msp_id: str, peers: Mapping[str, PeerNode], up: UnpackedProposal):
        self.local_msp_id = local_msp_id
        self.peers = peers
        self.up = up
        self.details: list[Any] = []
        self.payload: bytes | None = None
        self.endorsements: dict[str, Any] = {}  # org -> Endorsement
        self.failed: set[str] = set()

    async def _endorse(self, org: str) -> Any | None:
        """One org's proposal response if it succeeded, else None with an error detail added."""
        peer = self.peers[org]
        reply = await peer.endorser.process_proposal(self.up.signed_proposal, self.up)
        status = reply_status(reply, local=org == self.local_msp_id)
        if not status.ok:
            logger.warning("endorse call to %s (%s) failed: %s", peer.address, org, status.message)
            self.details.append(error_detail(peer.address, org, status.message))
            self.failed.add(org)
            return None
        return reply.response

    def _accept(self, org: str, response: Any) -> bool:
        if self.payload is None:
            self.payload = response.payload
        elif response.payload != self.payload:
            peer = self.peers[org]
            logger.warning(
                "ProposalResponsePayloads do not match: %s (%s) differs from the first endorser",
                peer.address,
                org,
            )
            self.details.append(error_detail(peer.address, org, MISMATCH))
            self.failed.add(org)
            return False
        self.endorsements[org] = response.endorsement
        return True

    async def _endorse_all(self, orgs: Sequence[str]) -> None:
        responses = await asyncio.gather(*(self._endorse(org) for org in orgs))
        for org, response in zip(orgs, responses, strict=True):
            if response is not None:
                self._accept(org, response)

    async def _complete(self, candidate_layouts: Sequence[Sequence[str]]) -> list[Any] | None:
        for layout in candidate_layouts:
            if any(org in self.failed for org in layout):
                continue
            missing = [org for org in layout if org not in self.endorsements]
            if missing:
                await self._endorse_all(missing)
            if all(org in self.endorsements for org in layout):
                return [self.endorsements[org] for org in layout]
        return None

    async def for_orgs(self, orgs: Sequence[str]) -> tuple[bytes, list[Any]]:
        """Endorsement by exactly these orgs (``endorsing_organizations`` in the request)."""
        missing = [org for org in orgs if org not in self.peers]
        if missing:
            raise RpcError(
                grpc.StatusCode.UNAVAILABLE,
                f"failed to find any endorsing peers for org(s): {', '.join(missing)}",
            )
        endorsements = await self._complete([list(dict.fromkeys(orgs))])
        return self._result(endorsements)

    async def by_policy(self, definitions: Mapping[str, Any]) -> tuple[bytes, list[Any]]:
        """Endorse on the gateway's own org first, then on the orgs the interest requires."""
        first = self.local_msp_id
        response = await self._endorse(first)
        if response is None:
            raise RpcError(
                grpc.StatusCode.ABORTED,
                "failed to endorse transaction, see attached details for more info",
                self.details,
            )
        interest = response.interest
        if not len(interest.chaincodes):
            interest = proposal_response_pb2.ChaincodeInterest()
            interest.chaincodes.add(name=self.up.chaincode_name)
        orgs = list(self.peers)
        try:
            requirements = requirements_for_interest(interest, definitions, orgs)
        except PlanError as err:
            raise RpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                "no combination of peers can be derived which satisfy the endorsement policy: "
                f"{err}",
            ) from err
        candidate_layouts = layouts(requirements, orgs, preferred=first)
        if not candidate_layouts:
            raise RpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                "no combination of peers can be derived which satisfy the endorsement policy: "
                "cannot satisfy any principal combination",
            )
        self._accept(first, response)
        endorsements = await self._complete(candidate_layouts)
        return self._result(endorsements)

    def _result(self, endorsements: list[Any] | None) -> tuple[bytes, list[Any]]:
        if endorsements is None or self.payload is None:
            raise RpcError(
                grpc.StatusCode.ABORTED,
                "failed to collect enough transaction endorsements, see attached details for "
                "more info",
                self.details,
            )
        return self.payload, endorsements
