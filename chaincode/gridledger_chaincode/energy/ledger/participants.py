"""Registering participants (utility only) and reading them."""

from __future__ import annotations

import json
from typing import Any

from gridledger_domain.records import Participant
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest
from gridledger_domain.vocabulary import Role, parse_word

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.meter_data import store_salt
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.state import PARTICIPANT, State
from gridledger_chaincode.shim.policy import org_endorsement_policy


def register_participant(
    state: State,
    caller: Caller,
    msp_id: str,
    subject: str,
    role: str,
    zone: str,
    display_name: str,
) -> Participant:
    caller.require_utility("register participants")
    parsed_role = parse_word(Role, role, "role")
    if parsed_role is Role.UTILITY:
        raise InvalidRequest("the utility is recognised from its certificate, not registered")
    participant = Participant(msp_id, subject, parsed_role, zone, display_name)
    if state.get_raw(PARTICIPANT, participant.participant_id):
        raise Conflict(f"participant {participant.participant_id} is already registered")
    state.put_json(PARTICIPANT, [participant.participant_id], participant.to_json_dict())
    store_salt(state, participant.participant_id)
    if msp_id != caller.msp_id:  # the utility's own members keep the chaincode's policy
        state.endorse_key_by(
            PARTICIPANT, [participant.participant_id], participant_policy(caller.msp_id, msp_id)
        )
    return participant


def participant_policy(utility_msp: str, participant_msp: str) -> bytes:
    """Key-level endorsement of a participant's record: a peer of the utility's organisation AND
    one of the participant's own organisation (docs/endorsement.md)."""
    return org_endorsement_policy((utility_msp, participant_msp))


def load_participant(state: State, pid: str) -> Participant:
    record = state.require_json(PARTICIPANT, pid, f"participant {pid} is not registered")
    return Participant.from_json_dict(record)


def get_participant(state: State, caller: Caller, pid: str) -> dict[str, Any]:
    caller.require_reader_of(pid, f"participant {pid}")
    return load_participant(state, pid).to_json_dict()


def list_participants(state: State, caller: Caller, request: PageRequest) -> dict[str, Any]:
    """One page of the registered participants, by participant id."""
    if not caller.reads_everything:
        raise AccessDenied(f"caller {caller.participant_id} may not read the participant list")
    rows, bookmark = state.scan_page(PARTICIPANT, [], request.size, request.bookmark)
    return page_answer([json.loads(value) for _, value in rows], bookmark)


def who_am_i(caller: Caller) -> dict[str, Any]:
    return {
        "participant_id": caller.participant_id,
        "msp_id": caller.msp_id,
        "role": caller.role.value if caller.role else None,
        "registered": caller.participant is not None or caller.is_utility,
    }
