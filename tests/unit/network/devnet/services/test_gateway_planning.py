"""The gateway's endorsement plan: discovery's messages, and transient data kept to members."""

from __future__ import annotations

from typing import Any

import pytest
from fabric_protos.peer import proposal_response_pb2
from gridledger_network.devnet.chaincode_support import ChaincodeDefinition
from gridledger_network.devnet.chaincode_support.definitions import CollectionDefinition
from gridledger_network.devnet.gateway.policy_plan import PlanError, endorsement_layouts
from gridledger_network.devnet.gateway.transient_data import (
    outside_distribution_policy,
    protect_transient_data,
)
from gridledger_network.devnet.policy import parse_policy

OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"
ORGS = [OPERATOR, PROSUMER]


def _definitions(policy: str) -> dict[str, ChaincodeDefinition]:
    private = CollectionDefinition("operatorPrivate", frozenset({OPERATOR}))
    return {
        "gridledger": ChaincodeDefinition(
            "gridledger", "127.0.0.1:1", parse_policy(policy), None, {"operatorPrivate": private}
        )
    }


def _private_write(*collections: str) -> Any:
    """The interest of a simulation that wrote (did not read) these collections."""
    interest = proposal_response_pb2.ChaincodeInterest()
    for name in collections:
        interest.chaincodes.add(name="gridledger", collection_names=[name], no_private_reads=True)
    return interest


BOTH = "AND('GridOperatorMSP.peer','ProsumerMSP.peer')"


def test_unknown_chaincode_or_collection_says_what_discovery_says() -> None:
    unknown = proposal_response_pb2.ChaincodeInterest()
    unknown.chaincodes.add(name="nosuchchaincode")
    with pytest.raises(PlanError, match=r"^No metadata was found for chaincode nosuchchaincode "):
        endorsement_layouts(unknown, _definitions(BOTH), ORGS, "energy")
    with pytest.raises(PlanError, match=r"No metadata .* gridledger in channel nosuchchannel$"):
        endorsement_layouts(_private_write("operatorPrivate"), {}, ORGS, "nosuchchannel")
    with pytest.raises(PlanError, match="collection nope doesn't exist in collection config"):
        endorsement_layouts(_private_write("nope"), _definitions(BOTH), ORGS, "energy")


def test_transient_data_restricts_the_plan_to_collection_members() -> None:
    written = _private_write("operatorPrivate")
    protected = protect_transient_data(written)
    assert protected.collections == ("operatorPrivate",)
    assert written.chaincodes[0].no_private_reads, "the endorser's interest is left as it was"
    assert not protected.interest.chaincodes[0].no_private_reads

    both = _definitions(BOTH)
    assert endorsement_layouts(written, both, ORGS, "energy", OPERATOR) == [(OPERATOR, PROSUMER)]
    with pytest.raises(
        PlanError, match=r"^no peer combination can satisfy the endorsement policy$"
    ):
        endorsement_layouts(protected.interest, both, ORGS, "energy", OPERATOR)

    either = _definitions("OR('GridOperatorMSP.peer','ProsumerMSP.peer')")
    assert endorsement_layouts(protected.interest, either, ORGS, "energy", OPERATOR) == [
        (OPERATOR,)
    ]


def test_read_collections_are_not_listed_as_protected() -> None:
    interest = _private_write("a", "b")
    interest.chaincodes.add(name="gridledger", collection_names=["read"], no_private_reads=False)
    protected = protect_transient_data(interest)
    assert protected.collections == ("a", "b")
    assert outside_distribution_policy(protected.collections) == (
        "requires endorsement from organisation(s) that are not in the distribution policy of "
        "the private data collection(s): [a b]; retry specifying trusted endorsing "
        "organizations to protect transient data"
    )
