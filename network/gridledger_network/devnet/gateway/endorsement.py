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
from gridledger_network.devnet.gateway.policy_plan import PlanError, endorsement_layouts
from gridledger_network.devnet.gateway.response_status import reply_status
from gridledger_network.devnet.gateway.transient_data import (
    NO_LOCAL_ENDORSER,
    outside_distribution_policy,
    protect_transient_data,
)

logger = logging.getLogger(__name__)

MISMATCH = "ProposalResponsePayloads do not match"
NO_PLAN = "no combination of peers can be derived which satisfy the endorsement policy"


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
        if len(orgs) == 1:  # the usual case: no task and gather for one endorser
            responses = [await self._endorse(orgs[0])]
        else:
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

    async def for_orgs(
        self, orgs: Sequence[str], available: Sequence[str]
    ) -> tuple[bytes, list[Any]]:
        """Endorsement by exactly these orgs (``endorsing_organizations`` in the request).

        ``available``: the orgs with a peer on the channel that has the chaincode.
        """
        missing = [org for org in orgs if org not in available]
        if missing:
            raise RpcError(
                grpc.StatusCode.UNAVAILABLE,
                f"failed to find any endorsing peers for org(s): {', '.join(missing)}",
            )
        endorsements = await self._complete([list(dict.fromkeys(orgs))])
        return self._result(endorsements)

    async def by_policy(
        self, definitions: Mapping[str, Any], available: Sequence[str]
    ) -> tuple[bytes, list[Any]]:
        """Endorse on the gateway's own org first, then on the orgs the interest requires.

        ``definitions``: the chaincodes defined on the proposal's channel (none if unknown);
        ``available``: the orgs with a peer on the channel that has the chaincode.
        """
        up = self.up
        default_interest = proposal_response_pb2.ChaincodeInterest()
        default_interest.chaincodes.add(name=up.chaincode_name)
        first = self.local_msp_id
        if first not in available:
            if up.has_transient_data:
                raise RpcError(grpc.StatusCode.FAILED_PRECONDITION, NO_LOCAL_ENDORSER)
            first = self._plan(default_interest, definitions, None)[0][0]
        response = await self._endorse(first)
        if response is None:
            raise RpcError(
                grpc.StatusCode.ABORTED,
                "failed to endorse transaction, see attached details for more info",
                self.details,
            )
        interest = response.interest
        if not len(interest.chaincodes):
            interest = default_interest
        if up.has_transient_data:
            protected = protect_transient_data(interest)
            try:
                candidate_layouts = self._plan(protected.interest, definitions, first)
            except RpcError:
                if protected.collections and self._plannable(interest, definitions, first):
                    raise RpcError(
                        grpc.StatusCode.FAILED_PRECONDITION,
                        outside_distribution_policy(protected.collections),
                    ) from None
                raise
        else:
            candidate_layouts = self._plan(interest, definitions, first)
        self._accept(first, response)
        endorsements = await self._complete(candidate_layouts)
        return self._result(endorsements)

    def _plan(
        self, interest: Any, definitions: Mapping[str, Any], preferred: str | None
    ) -> list[tuple[str, ...]]:
        try:
            return endorsement_layouts(
                interest, definitions, list(self.peers), self.up.channel_id, preferred
            )
        except PlanError as err:
            raise RpcError(grpc.StatusCode.FAILED_PRECONDITION, f"{NO_PLAN}: {err}") from err

    def _plannable(
        self, interest: Any, definitions: Mapping[str, Any], preferred: str | None
    ) -> bool:
        try:
            self._plan(interest, definitions, preferred)
        except RpcError:
            return False
        return True

    def _result(self, endorsements: list[Any] | None) -> tuple[bytes, list[Any]]:
        if endorsements is None or self.payload is None:
            raise RpcError(
                grpc.StatusCode.ABORTED,
                "failed to collect enough transaction endorsements, see attached details for "
                "more info",
                self.details,
            )
        return self.payload, endorsements
