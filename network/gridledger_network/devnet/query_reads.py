"""A range query's reads as Fabric records them: raw up to ``MAX_DEGREE`` results, a Merkle
summary beyond, and the validator's re-check of either against the state at commit.

Behaviour of Fabric 3.1.5's ledger (``txmgr`` hashes range results with a max degree of 50;
``rwsetutil``'s range query results helper; ``validation``'s range query validators):

- While a range is iterated, each result becomes a ``kvrwset.KVRead`` (key, version) appended to
  a pending list. When the list holds more than ``max_degree`` reads, the SHA-256 of the
  serialized ``kvrwset.QueryReads`` holding them becomes the next node of level 1 of a tree and
  the list is emptied. Whenever a level then holds more than ``max_degree`` hashes, the SHA-256
  of their concatenation becomes the next node of the level above and that level is emptied;
  the highest level reached so far is the tree's max level (1 at the start).
- At the end: if no node was ever made (at most ``max_degree`` results), the reads are recorded
  raw (``RangeQueryInfo.raw_reads``; nothing at all for no results). Otherwise the pending
  reads (if any) make one more level-1 node; then from level 1 up to below the max level, a
  level holding one hash moves it up unchanged, a level holding several moves up the hash of
  their concatenation, an empty level is skipped; if the max level then holds more than
  ``max_degree`` hashes, their combined hash becomes the single node of one level higher. The
  summary (``QueryReadsMerkleSummary``: max degree, max level, that level's hashes) replaces
  the raw reads.
- Validation re-runs the range over committed state plus the block's earlier valid updates and
  fails with ``PHANTOM_READ_CONFLICT``: raw reads must match key by key and version by version
  with nothing extra; a summary is rebuilt incrementally, each hash of the summary's level
  compared as soon as it exists, then the completed summary compared whole.

One difference, on purpose: when the recorded level holds exactly ``max_degree`` hashes (e.g.
2,550 results) and the range has gained ``max_degree + 1`` results or more, the rebuilt tree
reaches a level above the recorded one; Fabric 3.1.5's hash validator then indexes past the end
of that level's hashes (a Go panic, seen by running its validator on such a case), the devnet
answers ``PHANTOM_READ_CONFLICT``. Every other case gives Fabric's verdict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2

from gridledger_network.devnet.interfaces import Version

MAX_DEGREE = 50  # Fabric's maxDegreeQueryReadsHashing
LEAF_LEVEL = 1


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def combined_hash(hashes: Iterable[bytes]) -> bytes:
    """SHA-256 of the concatenated ``hashes`` (a node above level 1)."""
    return _sha256(b"".join(hashes))


class QueryReadsSummarizer:
    """Takes a range's results in order; ends with raw reads or a Merkle summary."""

    def __init__(self, max_degree: int = MAX_DEGREE) -> None:
        if max_degree < 2:
            raise ValueError(f"a Merkle tree of max degree {max_degree}: it must be at least 2")
        self.max_degree = max_degree
        self._pending: Any = kv_rwset_pb2.QueryReads()  # reads not hashed yet
        self._levels: dict[int, list[bytes]] = {}
        self._max_level = LEAF_LEVEL

    def add(self, key: str, version: Version | None) -> None:
        read = self._pending.kv_reads.add(key=key)
        if version is not None:
            read.version.SetInParent()  # present even at height (0, 0), as Fabric's
            read.version.block_num = version.block
            read.version.tx_num = version.tx
        if len(self._pending.kv_reads) > self.max_degree:
            self._hash_pending()

    def _hash_pending(self) -> None:
        leaf = _sha256(self._pending.SerializeToString())
        self._pending.Clear()
        self._levels.setdefault(LEAF_LEVEL, []).append(leaf)
        level = LEAF_LEVEL
        while len(self._levels[level]) > self.max_degree:
            parent = combined_hash(self._levels.pop(level))
            level += 1
            self._levels.setdefault(level, []).append(parent)
            self._max_level = max(self._max_level, level)

    def _empty(self) -> bool:
        return self._max_level == LEAF_LEVEL and not self._levels.get(LEAF_LEVEL)

    @property
    def max_level(self) -> int:
        return self._max_level

    def max_level_hashes(self) -> list[bytes]:
        """The hashes of the highest level so far (before :meth:`done`: for early comparison)."""
        return self._levels.get(self._max_level, [])

    def summary(self) -> Any:
        """The tree's ``kvrwset.QueryReadsMerkleSummary`` as it stands."""
        return kv_rwset_pb2.QueryReadsMerkleSummary(
            max_degree=self.max_degree,
            max_level=self._max_level,
            max_level_hashes=list(self.max_level_hashes()),
        )

    def done(self) -> tuple[list[Any], Any | None]:
        """(raw reads, None) for at most ``max_degree`` results, else ([], the summary)."""
        if self._empty():
            return list(self._pending.kv_reads), None
        if self._pending.kv_reads:
            self._hash_pending()
        for level in range(LEAF_LEVEL, self._max_level):
            hashes = self._levels.pop(level, [])
            if hashes:
                node = hashes[0] if len(hashes) == 1 else combined_hash(hashes)
                self._levels.setdefault(level + 1, []).append(node)
        top = self._levels.get(self._max_level, [])
        if len(top) > self.max_degree:
            del self._levels[self._max_level]
            self._max_level += 1
            self._levels[self._max_level] = [combined_hash(top)]
        return [], self.summary()


def record_reads(info: Any, summarizer: QueryReadsSummarizer) -> None:
    """Put the range's reads into ``info`` (a ``kvrwset.RangeQueryInfo``) as Fabric does."""
    raw, summary = summarizer.done()
    if summary is not None:
        info.reads_merkle_hashes.CopyFrom(summary)
    elif raw:
        info.raw_reads.kv_reads.extend(raw)


def _summaries_equal(a: Any, b: Any) -> bool:
    return (
        a.max_degree == b.max_degree
        and a.max_level == b.max_level
        and list(a.max_level_hashes) == list(b.max_level_hashes)
    )


def _read_version(read: Any) -> Version | None:
    if not read.HasField("version"):
        return None
    return Version(read.version.block_num, read.version.tx_num)


def raw_reads_match(info: Any, current: Iterable[tuple[str, Version]]) -> bool:
    """Whether the range's current results are exactly its recorded raw reads."""
    expected = [(r.key, _read_version(r)) for r in info.raw_reads.kv_reads]
    return list(current) == expected


def summary_matches(info: Any, current: Iterable[tuple[str, Version]]) -> bool:
    """Whether the range's current results rebuild its recorded Merkle summary; stops at the
    first hash of the summary's level that differs or outnumbers the recorded ones."""
    recorded = info.reads_merkle_hashes
    recorded_hashes = list(recorded.max_level_hashes)
    if recorded.max_degree < 2:
        return False  # Fabric's helper refuses such a tree (an error, not a verdict)
    rebuilt = QueryReadsSummarizer(recorded.max_degree)
    matched = 0
    for key, version in current:
        rebuilt.add(key, version)
        if rebuilt.max_level < recorded.max_level:
            continue
        if rebuilt.max_level > recorded.max_level:
            return False  # the recorded level overflowed: more results than were read
        hashes = rebuilt.max_level_hashes()
        if matched == len(hashes):
            continue
        if len(hashes) > len(recorded_hashes):
            return False
        if hashes[matched] != recorded_hashes[matched]:
            return False
        matched += 1
    _, summary = rebuilt.done()
    return summary is not None and _summaries_equal(recorded, summary)


def range_matches(info: Any, current: Iterable[tuple[str, Version]]) -> bool:
    """Whether ``info``'s recorded reads (raw or summarised) still hold for ``current``."""
    if info.HasField("reads_merkle_hashes"):
        return summary_matches(info, current)
    return raw_reads_match(info, current)
