"""``recording_commits``: the transactions the energy API commits in a block, per task."""

from __future__ import annotations

import asyncio

from gridledger.energy.transactions import Committed, note_commit, recording_commits


def test_commits_are_recorded_inside_the_block_only_and_per_task() -> None:
    first = Committed("tx-1", b"", 3)
    note_commit(first)  # outside any block: nobody records it
    with recording_commits() as outer:
        note_commit(first)
        with recording_commits() as inner:
            note_commit(Committed("tx-2", b"", 4))
        assert [c.transaction_id for c in inner] == ["tx-2"]
    assert [c.transaction_id for c in outer] == ["tx-1"]

    async def request(name: str) -> list[str]:
        with recording_commits() as commits:
            await asyncio.sleep(0)
            note_commit(Committed(name, b"", 1))
            await asyncio.sleep(0)
            # a task started inside records into the same list
            await asyncio.create_task(_commit(f"{name}-sub"))
        return [c.transaction_id for c in commits]

    async def both() -> list[list[str]]:
        return list(await asyncio.gather(request("a"), request("b")))

    assert asyncio.run(both()) == [["a", "a-sub"], ["b", "b-sub"]]


async def _commit(name: str) -> None:
    note_commit(Committed(name, b"", 1))
