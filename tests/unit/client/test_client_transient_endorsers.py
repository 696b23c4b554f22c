"""A household's transient data (its readings, its registration's salt) goes only to members of
its collection: a caller whose own organisation is not a member names the members as endorsing
organisations, since the Gateway, given none, endorses on the caller's own peer first
(docs/private-data.md, "Auditors")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from client_fake_gateway import FakeServer
from gridledger.energy import EnergyClient, NotFound, ResponseFormatError, plan_batches
from gridledger.energy.collections import MemberEndorsers, member_endorsers
from gridledger.fabric import load_msp
from gridledger.gateway import EvaluateError, connect
from test_client_energy import FakeContract, _series

OPERATOR, PROSUMER, RETAILER = "GridOperatorMSP", "ProsumerMSP", "RetailerMSP"


class UnknownMeters(FakeContract):
    """Answers every meter lookup: unknown."""

    def evaluate(self, function: str, *args: Any, **options: Any) -> bytes:
        reason = f"unknown meter {args[0]}"
        raise NotFound(reason, EvaluateError(f"{function}: not found: {reason}"))


@pytest.mark.parametrize(
    ("caller", "household", "named"),
    [
        (OPERATOR, RETAILER, None),  # the utility is in every collection
        (RETAILER, RETAILER, None),  # the household's own organisation
        (OPERATOR, OPERATOR, None),
        (PROSUMER, RETAILER, (OPERATOR, RETAILER)),
        (PROSUMER, OPERATOR, (OPERATOR,)),
    ],
)
def test_members_are_named_only_when_the_caller_is_outside(
    caller: str, household: str, named: tuple[str, ...] | None
) -> None:
    found = member_endorsers(caller, household)
    if named is None:
        assert found is None
    else:
        assert found == MemberEndorsers(named, {f"mdata_{household}": named})


def test_each_batch_names_the_members_of_its_meters_collection() -> None:
    contract = UnknownMeters(msp_id=PROSUMER)
    client = EnergyClient(contract)  # type: ignore[arg-type]
    client._orgs.update({"m-own": PROSUMER, "m-retail": RETAILER})  # the meters' owners, known
    readings = [*_series("m-own", 3), *_series("m-retail", 3), *_series("m-unknown", 3)]
    assert len(plan_batches(readings, 10, client._orgs)) == 3
    client.submit_readings(readings, batch_size=10, raise_on_failure=False)
    members = (OPERATOR, RETAILER)
    assert contract.endorsers == {
        "m-own": (None, None),  # ProsumerMSP is a member of mdata_ProsumerMSP
        "m-retail": (members, {f"mdata_{RETAILER}": members}),
        "m-unknown": (None, None),  # the contract refuses a meter the caller cannot read
    }


def test_the_utility_names_nobody() -> None:
    contract = FakeContract()
    client = EnergyClient(contract)  # type: ignore[arg-type]
    client._orgs.update({"m-retail": RETAILER})
    client.submit_readings(_series("m-retail", 3))
    assert contract.endorsers == {"m-retail": (None, None)}


def _registration_endorsers(
    fake_server: FakeServer, user_msp: Path, msp_id: str, household: str
) -> list[str]:
    identity, signer = load_msp(user_msp, msp_id)
    with connect(fake_server.address, identity=identity, signer=signer) as gateway:
        client = EnergyClient.for_network(gateway.network("energy"))
        with pytest.raises(ResponseFormatError):  # the fake answers no participant
            client.register_participant(household, "consumer", zone="north", display_name="h")
    (request,) = fake_server.state.endorsed
    fake_server.state.endorsed.clear()
    return list(request.endorsing_organizations)


def test_a_registration_proposal_names_the_members_only_outside_the_collection(
    fake_server: FakeServer, user_msp: Path
) -> None:
    """What the Gateway receives: the salt goes to the members' peers only."""
    outside = _registration_endorsers(fake_server, user_msp, PROSUMER, f"{RETAILER}::CN=h")
    assert outside == [OPERATOR, RETAILER]
    assert _registration_endorsers(fake_server, user_msp, OPERATOR, f"{RETAILER}::CN=h") == []
    assert _registration_endorsers(fake_server, user_msp, RETAILER, f"{RETAILER}::CN=h") == []
