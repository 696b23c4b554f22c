"""Hot-path shortcuts of the devnet keep Fabric's answers: height waiters, the duplicate check."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from gridledger_network.devnet.endorser.endorser import Endorser
from gridledger_network.devnet.endorser.proposal import ProposalError, UnpackedProposal
from gridledger_network.devnet.ledger.waiters import HeightWaiters


def test_one_reached_resolves_every_due_waiter_from_another_thread() -> None:
    async def scenario() -> None:
        waiters = HeightWaiters(1)
        due = [waiters.wait(2), waiters.wait(3), waiters.wait(3)]
        later = waiters.wait(4)
        assert waiters.wait(1).done()
        thread = threading.Thread(target=waiters.reached, args=(3,))
        thread.start()
        thread.join()
        await asyncio.wait_for(asyncio.gather(*due), 5)
        await asyncio.sleep(0)
        assert not later.done()
        waiters.reached(4)
        await asyncio.wait_for(later, 5)
        assert waiters.height == 4

    asyncio.run(scenario())


class CountingLedger:
    def __init__(self) -> None:
        self.height = 5
        self.committed: set[str] = set()
        self.queries = 0

    def tx_status(self, tx_id: str) -> Any:
        self.queries += 1
        return object() if tx_id in self.committed else None


def endorser(ledger: CountingLedger) -> Endorser:
    signer = SimpleNamespace(serialized_identity=b"peer", sign=lambda message: b"")
    return Endorser("OrgMSP", signer, None, ledger, None, None)  # type: ignore[arg-type]


def proposal(tx_id: str) -> UnpackedProposal:
    header = SimpleNamespace(tx_id=tx_id, channel_id="energy")
    return UnpackedProposal(
        signed_proposal=None,
        proposal=None,
        header=None,
        channel_header=header,
        signature_header=SimpleNamespace(creator=b"\x01"),
        chaincode_proposal_payload=None,
        chaincode_name="cc",
        input=None,
        proposal_hash=b"",
    )


def test_duplicate_check_is_shared_by_peers_of_one_ledger_at_one_height() -> None:
    ledger = CountingLedger()
    up = proposal("tx1")
    first, second = endorser(ledger), endorser(ledger)
    first._check_unique(up)
    second._check_unique(up)
    assert ledger.queries == 1
    ledger.height += 1  # a block was committed since: ask the ledger again
    ledger.committed.add("tx1")
    with pytest.raises(ProposalError, match=r"duplicate transaction found \[tx1\]"):
        second._check_unique(up)
    assert ledger.queries == 2


def test_duplicate_check_is_not_shared_across_ledgers() -> None:
    one, other = CountingLedger(), CountingLedger()
    other.committed.add("tx1")
    up = proposal("tx1")
    endorser(one)._check_unique(up)
    with pytest.raises(ProposalError, match="duplicate transaction found"):
        endorser(other)._check_unique(up)
