"""Key-level endorsement of participants' records (docs/endorsement.md)."""

from __future__ import annotations

import pytest
from gridledger_chaincode.contract import ContractRouter
from gridledger_chaincode.energy.contract import EnergyContract
from gridledger_chaincode.energy.ledger.state import PARTICIPANT
from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.shim.policy import VALIDATION_PARAMETER, policy_msp_ids
from gridledger_chaincode.testing import InMemoryLedger, make_identity
from harness.energy_ledger import as_sent

OPERATOR = "GridOperatorMSP"


def register(ledger: InMemoryLedger, who: ClientIdentity) -> str:
    utility = make_identity(OPERATOR, "Admin@gridoperator.gridledger.local", ou="admin")
    chaincode = ContractRouter([EnergyContract()])
    result = ledger.invoke(
        chaincode,
        "energy:RegisterParticipant",
        who.msp_id,
        who.subject,
        "consumer",
        "north",
        "someone",
        identity=utility,
        transient=as_sent("RegisterParticipant", [who.msp_id, who.subject])[1],
    )
    assert result.ok, result.message
    participant_id: str = result.json()["participant_id"]
    return participant_id


def record_policy(ledger: InMemoryLedger, participant_id: str) -> bytes | None:
    key = ledger.stub("").create_composite_key(PARTICIPANT, [participant_id])
    return ledger.metadata.get(("", key), {}).get(VALIDATION_PARAMETER)


@pytest.mark.parametrize("msp_id", ["ProsumerMSP", "RetailerMSP"])
def test_another_orgs_participant_needs_the_utility_and_its_own_org(msp_id: str) -> None:
    ledger = InMemoryLedger()
    participant_id = register(ledger, make_identity(msp_id, "erin"))
    policy = record_policy(ledger, participant_id)
    assert policy is not None
    assert policy_msp_ids(policy) == sorted([OPERATOR, msp_id])


def test_the_utilitys_own_members_keep_the_chaincode_policy() -> None:
    ledger = InMemoryLedger()
    participant_id = register(ledger, make_identity(OPERATOR, "dave"))
    assert record_policy(ledger, participant_id) is None
