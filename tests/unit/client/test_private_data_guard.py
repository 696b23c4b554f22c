"""The client refuses to send transient data to named endorsers outside the collections written."""

from __future__ import annotations

import pytest
from client_fake_gateway import FakeServer
from gridledger.gateway import Gateway, PrivateDataLeakError
from gridledger.gateway.contract import check_transient_endorsers

OPERATOR, PROSUMER, RETAILER = "GridOperatorMSP", "ProsumerMSP", "RetailerMSP"
MEMBERS = {"operatorPrivate": [OPERATOR]}


def test_named_non_member_is_refused_with_the_collection_and_the_non_members() -> None:
    with pytest.raises(PrivateDataLeakError) as refused:
        check_transient_endorsers(
            {"value": b"s"}, [OPERATOR, PROSUMER, RETAILER], {"operatorPrivate": [OPERATOR]}
        )
    assert refused.value.collection == "operatorPrivate"
    assert refused.value.non_members == [PROSUMER, RETAILER]
    assert str(refused.value) == (
        "refused before sending: transient data would go to organisation(s) ProsumerMSP, "
        "RetailerMSP, not members of private data collection operatorPrivate; name only the "
        "collection's members as endorsing organisations"
    )


def test_every_written_collection_is_checked() -> None:
    collections = {"a": [OPERATOR, PROSUMER], "b": [OPERATOR]}
    with pytest.raises(PrivateDataLeakError) as refused:
        check_transient_endorsers({"v": b"s"}, [OPERATOR, PROSUMER], collections)
    assert (refused.value.collection, refused.value.non_members) == ("b", [PROSUMER])


def test_named_orgs_without_declared_collections_are_refused() -> None:
    with pytest.raises(PrivateDataLeakError) as refused:
        check_transient_endorsers({"v": b"s"}, [OPERATOR], None)
    assert refused.value.collection == ""
    assert "needs the private data collections the call writes" in str(refused.value)


@pytest.mark.parametrize(
    ("transient", "orgs", "collections"),
    [
        ({"v": b"s"}, None, None),  # the Gateway plans members only (or FAILED_PRECONDITION)
        (None, [PROSUMER], None),  # no transient data: nothing private to leak
        ({"v": b"s"}, [OPERATOR], MEMBERS),  # members only
        ({"v": b"s"}, [PROSUMER], {}),  # the caller says the call writes no collection
    ],
)
def test_allowed(
    transient: dict[str, bytes] | None,
    orgs: list[str] | None,
    collections: dict[str, list[str]] | None,
) -> None:
    check_transient_endorsers(transient, orgs, collections)


def test_refusal_sends_nothing(gateway: Gateway, fake_server: FakeServer) -> None:
    contract = gateway.network("energy").contract("gridledger", "kv")
    endorsed, evaluated = len(fake_server.state.endorsed), len(fake_server.state.evaluated)
    for call in (contract.submit, contract.evaluate):
        with pytest.raises(PrivateDataLeakError):
            call(
                "PutPrivate",
                "operatorPrivate",
                "k",
                transient={"value": b"secret"},
                endorsing_orgs=[OPERATOR, PROSUMER],
                collections=MEMBERS,
            )
    with pytest.raises(PrivateDataLeakError):
        contract.new_proposal(
            "PutPrivate", args=["c", "k"], transient={"value": b"s"}, endorsing_orgs=[PROSUMER]
        )
    assert (len(fake_server.state.endorsed), len(fake_server.state.evaluated)) == (
        endorsed,
        evaluated,
    )
