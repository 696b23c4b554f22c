"""Reading Fabric ``common.Block`` messages in assertions."""

from __future__ import annotations

from typing import Any

from fabric_protos.common import common_pb2


def transaction_ids(block: Any) -> list[str]:
    """The tx id of every envelope in ``block``, in order."""
    ids = []
    for envelope_bytes in block.data.data:
        envelope = common_pb2.Envelope.FromString(envelope_bytes)
        payload = common_pb2.Payload.FromString(envelope.payload)
        header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        ids.append(str(header.tx_id))
    return ids


def validation_codes(block: Any) -> list[int]:
    """The TRANSACTIONS_FILTER metadata: one TxValidationCode per transaction."""
    index = common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER
    return list(block.metadata.metadata[index])
