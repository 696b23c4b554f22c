"""Writes kept back during a transaction and sent in WRITE_BATCH_STATE messages at its end.

Only used when the peer offered `use_write_batch` in READY. Like fabric-chaincode-go, the last
write to a (collection, key) wins, with metadata writes kept apart from data writes.
"""

from __future__ import annotations

from gridledger_chaincode.shim import messages
from gridledger_chaincode.shim.messages import WriteRecord


class WriteBatch:
    __slots__ = ("_records",)

    def __init__(self) -> None:
        self._records: dict[tuple[str, str, bool], WriteRecord] = {}

    def __len__(self) -> int:
        return len(self._records)

    def put_state(self, collection: str, key: str, value: bytes) -> None:
        self._records[(collection, key, False)] = WriteRecord(
            messages.PUT_STATE, collection, key, value
        )

    def del_state(self, collection: str, key: str) -> None:
        self._records[(collection, key, False)] = WriteRecord(messages.DEL_STATE, collection, key)

    def purge_private_data(self, collection: str, key: str) -> None:
        self._records[(collection, key, False)] = WriteRecord(
            messages.PURGE_PRIVATE_DATA, collection, key
        )

    def put_metadata(self, collection: str, key: str, metakey: str, value: bytes) -> None:
        self._records[(collection, key, True)] = WriteRecord(
            messages.PUT_STATE_METADATA, collection, key, value, metakey
        )

    def payloads(self, max_size: int) -> list[bytes]:
        return messages.write_batch_payloads(self._records.values(), max_size)
