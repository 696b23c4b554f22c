"""What the committing side decides: commit status, MVCC conflicts, endorsement policy."""

from __future__ import annotations

from typing import Any

import pytest
from gridledger.gateway import CommitError, GatewayError
from harness.devnet import OPERATOR

pytestmark = pytest.mark.integration

VALID = 0
ENDORSEMENT_POLICY_FAILURE = 10
MVCC_READ_CONFLICT = 11


def test_commit_status_of_a_submitted_transaction(kv: Any, unique_key: str) -> None:
    proposal = kv.new_proposal("AddTo", args=[f"{unique_key}meter", "42"])
    transaction = proposal.endorse()
    assert transaction.result == b"42"
    commit = transaction.submit()
    assert commit.transaction_id == proposal.transaction_id
    status = commit.status()
    assert status.successful
    assert status.code == VALID
    assert status.transaction_id == proposal.transaction_id
    assert status.block_number >= 1


def test_concurrent_read_modify_writes_of_one_key_commit_exactly_one(
    kv: Any, unique_key: str
) -> None:
    key = f"{unique_key}balance"
    kv.submit("AddTo", key, "100")
    # Both simulate against the same committed version before either is ordered.
    first = kv.new_proposal("AddTo", args=[key, "10"]).endorse()
    second = kv.new_proposal("AddTo", args=[key, "20"]).endorse()
    first_status = first.submit().status()
    second_status = second.submit().status()

    assert first_status.code == VALID
    assert second_status.code == MVCC_READ_CONFLICT
    assert not second_status.successful
    assert kv.evaluate("Get", key) == b"110"


def test_endorsement_by_one_org_fails_the_and_policy(kv: Any, unique_key: str) -> None:
    with pytest.raises(CommitError) as caught:
        kv.submit("Put", f"{unique_key}lonely", "x", endorsing_orgs=[OPERATOR])
    error = caught.value
    assert error.code == ENDORSEMENT_POLICY_FAILURE
    assert error.code_name == "ENDORSEMENT_POLICY_FAILURE"
    assert error.transaction_id
    with pytest.raises(GatewayError):  # the invalid transaction wrote nothing
        kv.evaluate("Get", f"{unique_key}lonely")
