"""One organisation's peer endorser: check a proposal, simulate it, sign the result.

Mirrors Fabric's ``core/endorser`` ``ProcessProposal``: failures before simulation come back as
an error (and a 500 response), chaincode errors as the chaincode's response without an
endorsement, success as a ProposalResponse endorsed by this peer over ``payload ‖ endorser``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from fabric_protos.peer import chaincode_pb2, proposal_pb2, proposal_response_pb2

from gridledger_network.devnet.chaincode_support import (
    ChaincodeDefinition,
    ChaincodeSupport,
    ExecutionError,
    TransactionParams,
    TxSimulator,
)
from gridledger_network.devnet.endorser.interest import build_interest
from gridledger_network.devnet.endorser.proposal import (
    ProposalError,
    UnpackedProposal,
    unpack_proposal,
    validate_proposal,
)
from gridledger_network.devnet.endorser.qscc import SYSTEM_CHAINCODES, QueryChaincode
from gridledger_network.devnet.interfaces import ChannelConfig, Ledger, TransientStore

logger = logging.getLogger(__name__)

ERROR_THRESHOLD = 400
ERROR = 500
WRITER_ROLES = frozenset({"admin", "client"})
SYSTEM_CHAINCODE_VERSION = "syscc"  # what Fabric's peer puts as a system chaincode's version


class Signer(Protocol):
    @property
    def serialized_identity(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class EndorserReply:
    """Fabric's ``(ProposalResponse, error)`` pair: ``error`` set when Fabric returns a Go error."""

    response: Any  # peer.ProposalResponse
    error: str | None = None


def _failure(message: str) -> Any:
    return proposal_response_pb2.ProposalResponse(
        response=proposal_response_pb2.Response(status=ERROR, message=message)
    )


class Endorser:
    def __init__(
        self,
        msp_id: str,
        signer: Signer,
        channel_config: ChannelConfig,
        ledger: Ledger,
        chaincode_support: ChaincodeSupport,
        transient_store: TransientStore,
    ) -> None:
        self.msp_id = msp_id
        self.signer = signer
        self._endorser_identity = signer.serialized_identity
        self.channel_config = channel_config
        self.ledger = ledger
        self.chaincode_support = chaincode_support
        self.transient_store = transient_store
        self.qscc = QueryChaincode(ledger, channel_config)

    @property
    def definitions(self) -> Mapping[str, ChaincodeDefinition]:
        return self.chaincode_support.definitions

    async def process_proposal(
        self, signed_proposal: Any, unpacked: UnpackedProposal | None = None
    ) -> EndorserReply:
        try:
            up = unpacked if unpacked is not None else unpack_proposal(signed_proposal)
        except ProposalError as err:
            return EndorserReply(_failure(str(err)), str(err))
        if up.channel_id != self.ledger.channel:
            return EndorserReply(_failure(f"channel '{up.channel_id}' not found"))
        try:
            self._pre_process(up)
        except ProposalError as err:
            return EndorserReply(_failure(str(err)), str(err))
        try:
            return EndorserReply(await self._simulate_and_endorse(up))
        except ProposalError as err:
            logger.debug("failed to invoke chaincode %s: %s", up.chaincode_name, err)
            return EndorserReply(_failure(str(err)))

    def _pre_process(self, up: UnpackedProposal) -> None:
        try:
            creator = validate_proposal(up, self.channel_config)
        except ProposalError as err:
            raise ProposalError(f"error validating proposal: {err}") from err
        self._check_unique(up)
        roles = getattr(creator, "roles", None)
        if roles is not None and not self._application_writer(creator.msp_id, roles):
            raise ProposalError(
                "Failed evaluating policy on signed data during check policy on channel "
                f"[{up.channel_id}] with policy [/Channel/Application/Writers]: [implicit policy "
                "evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 "
                "of the 'Writers' sub-policies to be satisfied]"
            )

    def _check_unique(self, up: UnpackedProposal) -> None:
        """Fabric's duplicate txid check. Committed txids are only ever added, so "not committed"
        seen at a height still holds at that height: the next org's peer endorsing the same
        proposal on this ledger skips the query while no block has been committed since."""
        ledger = self.ledger
        height = ledger.height
        seen = up.unique_on
        if seen is not None and seen[0] is ledger and seen[1] == height:
            return
        if ledger.tx_status(up.tx_id) is not None:
            raise ProposalError(
                f"duplicate transaction found [{up.tx_id}]. Creator "
                f"[{up.signature_header.creator.hex()}]"
            )
        up.unique_on = (ledger, height)

    def _application_writer(self, msp_id: str, roles: Any) -> bool:
        """``/Channel/Application/Writers``: an admin or client of an application org (the
        ``peer/Propose`` ACL, checked as Fabric's default policy checker does)."""
        return msp_id in self.channel_config.org_msp_ids and bool(WRITER_ROLES & set(roles))

    def serves(self, chaincode: str) -> bool:
        """Whether this peer runs ``chaincode``: a defined one, or a system chaincode."""
        return chaincode in self.definitions or chaincode in SYSTEM_CHAINCODES

    async def _simulate_and_endorse(self, up: UnpackedProposal) -> Any:
        if up.chaincode_name in SYSTEM_CHAINCODES:
            response = self.qscc.invoke(list(up.input.args), up.creator)
            return self._endorsed(up, response, b"", None, None, SYSTEM_CHAINCODE_VERSION)
        definition = self.definitions.get(up.chaincode_name)
        if definition is None:
            raise ProposalError(
                f"make sure the chaincode {up.chaincode_name} has been successfully defined on "
                f"channel {up.channel_id} and try again: chaincode definition for "
                f"'{up.chaincode_name}' not found"
            )
        simulator = TxSimulator(
            self.ledger,
            up.tx_id,
            self.msp_id,
            {name: d.collections for name, d in self.definitions.items()},
            creator_msp_id=getattr(up.creator, "msp_id", None),
        )
        params = TransactionParams(up.channel_id, up.tx_id, up.signed_proposal, simulator)
        try:
            result = await self.chaincode_support.execute(params, up.chaincode_name, up.input)
        except ExecutionError as err:
            raise ProposalError(f"error in simulation: {err}") from err
        response = result.response
        status = response.status
        event = result.event if status < ERROR_THRESHOLD else None
        results = simulator.results()
        if results.private is not None and status < ERROR_THRESHOLD:
            self.transient_store.put(up.tx_id, results.private)
        interest = build_interest(simulator)
        return self._endorsed(
            up, response, results.public_bytes, event, interest, definition.version
        )

    def _endorsed(
        self,
        up: UnpackedProposal,
        response: Any,
        results: bytes,
        event: Any | None,
        interest: Any | None,
        version: str,
    ) -> Any:
        """The proposal response to a simulation's ``response``: endorsed when it succeeded."""
        status = response.status
        action = proposal_pb2.ChaincodeAction(
            results=results,
            events=event.SerializeToString() if event is not None else b"",
            response=response,
            chaincode_id=chaincode_pb2.ChaincodeID(name=up.chaincode_name, version=version),
        )
        payload = proposal_response_pb2.ProposalResponsePayload(
            proposal_hash=up.proposal_hash, extension=action.SerializeToString()
        ).SerializeToString()
        if status >= ERROR:
            return proposal_response_pb2.ProposalResponse(
                response=response, payload=payload, interest=interest
            )
        if status >= ERROR_THRESHOLD:
            return proposal_response_pb2.ProposalResponse(response=response)
        endorser = self._endorser_identity
        endorsement = proposal_response_pb2.Endorsement(
            endorser=endorser, signature=self.signer.sign(payload + endorser)
        )
        return proposal_response_pb2.ProposalResponse(
            version=1,
            endorsement=endorsement,
            payload=payload,
            response=response,
            interest=interest,
        )
