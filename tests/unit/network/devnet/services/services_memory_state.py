"""A tiny in-memory world state implementing ``interfaces.StateReader`` for service unit tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence

from gridledger_network.devnet.interfaces import HistoryEntry, Version, VersionedValue


class MemoryState:
    def __init__(self) -> None:
        self.public: dict[tuple[str, str], VersionedValue] = {}
        self.private: dict[tuple[str, str, str], VersionedValue] = {}
        self.hashes: dict[tuple[str, str, bytes], VersionedValue] = {}
        self.histories: dict[tuple[str, str], list[HistoryEntry]] = {}

    def put(
        self,
        namespace: str,
        key: str,
        value: bytes,
        block: int = 1,
        tx: int = 0,
        metadata: Mapping[str, bytes] | None = None,
    ) -> None:
        self.public[(namespace, key)] = VersionedValue(value, Version(block, tx), metadata or {})

    def put_private(
        self, namespace: str, collection: str, key: str, value: bytes, block: int = 1, tx: int = 0
    ) -> None:
        version = Version(block, tx)
        self.private[(namespace, collection, key)] = VersionedValue(value, version, {})
        key_hash = hashlib.sha256(key.encode()).digest()
        value_hash = hashlib.sha256(value).digest()
        self.hashes[(namespace, collection, key_hash)] = VersionedValue(value_hash, version, {})

    def get_state(self, namespace: str, key: str) -> VersionedValue | None:
        return self.public.get((namespace, key))

    def get_states(self, namespace: str, keys: Sequence[str]) -> list[VersionedValue | None]:
        return [self.get_state(namespace, k) for k in keys]

    def range(
        self, namespace: str, start_key: str, end_key: str
    ) -> Iterator[tuple[str, VersionedValue]]:
        keys = sorted(
            (k for ns, k in self.public if ns == namespace),
            key=lambda k: k.encode(),
        )
        for key in keys:
            if key.encode() < start_key.encode():
                continue
            if end_key and key.encode() >= end_key.encode():
                break
            yield key, self.public[(namespace, key)]

    def history(self, namespace: str, key: str) -> Iterator[HistoryEntry]:
        return iter(self.histories.get((namespace, key), []))

    def get_private_data(self, namespace: str, collection: str, key: str) -> VersionedValue | None:
        return self.private.get((namespace, collection, key))

    def get_private_data_and_hash(
        self, namespace: str, collection: str, key: str
    ) -> tuple[VersionedValue | None, VersionedValue | None]:
        key_hash = hashlib.sha256(key.encode()).digest()
        return self.hashes.get((namespace, collection, key_hash)), self.get_private_data(
            namespace, collection, key
        )

    def get_private_data_hash(
        self, namespace: str, collection: str, key_hash: bytes
    ) -> VersionedValue | None:
        return self.hashes.get((namespace, collection, key_hash))
