"""The ledger explorer's queries (Fabric's ``qscc`` through the Gateway): ``chain_info``,
``block`` and ``transaction`` on a network of their own, answering the same shape on the devnet
and on real Fabric (``GRIDLEDGER_BACKEND=fabric``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fabric.backend import start_backend_network
from gridledger.energy.client import CHAINCODE, CONTRACT
from gridledger.gateway import EvaluateError, Network
from gridledger.profile import ConnectionProfile
from harness.devnet import OPERATOR, PROSUMER

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def network(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Network]:
    home = tmp_path_factory.mktemp("ledger-queries") / ".devnet"
    started: Any = start_backend_network(home, request.config, with_node_chaincode=False)
    try:
        profile: ConnectionProfile = started.profile
        with profile.connect(OPERATOR, user="utility") as gateway:
            yield gateway.network(profile.channel)
    finally:
        started.stop()


def test_a_committed_transaction_is_in_its_block_valid_and_endorsed_by_both_orgs(
    network: Network,
) -> None:
    before = network.chain_info()
    assert before.height >= 1 and len(before.current_block_hash) == 32

    contract = network.contract(CHAINCODE, CONTRACT)
    submitted = contract.submit_async("WhoAmI")
    status = submitted.status()
    assert status.successful

    block = network.block(status.block_number)
    assert block.number == status.block_number
    found = [t for t in block.transactions if t.transaction_id == submitted.transaction_id]
    assert len(found) == 1
    transaction = found[0]
    assert transaction.block_number == block.number
    assert block.transactions[transaction.index] == transaction
    assert transaction.kind == "ENDORSER_TRANSACTION"
    assert transaction.validation_code == "VALID" and transaction.valid
    assert sorted(transaction.endorsers) == sorted([OPERATOR, PROSUMER])
    assert transaction.creator_msp == OPERATOR
    assert transaction.chaincode == CHAINCODE
    assert transaction.function.endswith("WhoAmI")
    assert transaction.timestamp > 1_700_000_000

    after = network.chain_info()
    assert after.height > block.number >= before.height - 1
    last = network.block(after.height - 1)
    assert last.number == after.height - 1
    assert after.previous_block_hash == last.previous_hash

    assert network.transaction_block(submitted.transaction_id) == block

    alone = network.transaction(submitted.transaction_id)
    assert alone.transaction_id == transaction.transaction_id
    assert alone.validation_code == "VALID"
    assert alone.endorsers == transaction.endorsers
    assert (alone.function, alone.chaincode, alone.timestamp) == (
        transaction.function,
        transaction.chaincode,
        transaction.timestamp,
    )


def test_the_genesis_block_is_the_channel_configuration(network: Network) -> None:
    genesis = network.block(0)
    assert genesis.number == 0 and genesis.previous_hash == b""
    assert [t.kind for t in genesis.transactions] == ["CONFIG"]
    assert genesis.transactions[0].chaincode == "" and genesis.transactions[0].endorsers == ()
    assert genesis.transactions[0].validation_code == "VALID"


def test_a_block_not_yet_committed_and_an_unknown_transaction_are_refused(
    network: Network,
) -> None:
    height = network.chain_info().height
    with pytest.raises(EvaluateError) as raised:
        network.block(height + 100)
    assert f"Failed to get block number {height + 100}" in str(raised.value)
    with pytest.raises(EvaluateError) as unknown:
        network.transaction("0" * 64)
    assert "Failed to get transaction with id" in str(unknown.value)
