"""State metadata (e.g. VALIDATION_PARAMETER) <-> bytes: kvrwset metadata entries sorted by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2

VALIDATION_PARAMETER = "VALIDATION_PARAMETER"


def encode_metadata(metadata: Mapping[str, bytes]) -> bytes | None:
    if not metadata:
        return None
    msg = kv_rwset_pb2.KVMetadataWrite(
        entries=[kv_rwset_pb2.KVMetadataEntry(name=k, value=metadata[k]) for k in sorted(metadata)]
    )
    return bytes(msg.SerializeToString())


def decode_metadata(data: bytes | None) -> dict[str, bytes]:
    if not data:
        return {}
    msg = kv_rwset_pb2.KVMetadataWrite()
    msg.ParseFromString(data)
    return {e.name: bytes(e.value) for e in msg.entries}


def metadata_from_entries(entries: Iterable[Any]) -> dict[str, bytes]:
    """``KVMetadataEntry`` list (from a rwset) -> mapping."""
    return {str(e.name): bytes(e.value) for e in entries}
