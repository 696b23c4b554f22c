"""Open query iterators of a transaction and their paging into ``QueryResponse`` batches.

Batching follows Fabric's ``QueryResponseGenerator``: at most 100 results per response with
``has_more`` for plain queries; one page with ``QueryResponseMetadata`` (fetched count, bookmark)
for paginated queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from fabric_protos.ledger.queryresult import kv_query_result_pb2
from fabric_protos.peer import chaincode_shim_pb2

from gridledger_network.devnet.chaincode_support.simulator import RangeScan
from gridledger_network.devnet.interfaces import HistoryEntry

MAX_RESULTS_PER_RESPONSE = 100
TOTAL_QUERY_LIMIT = 100_000


@dataclass(slots=True)
class QueryCursor:
    next_result: Callable[[], bytes | None]  # serialized result, None when exhausted
    paginated: bool = False
    bookmark: Callable[[], str] = lambda: ""
    limit: int = TOTAL_QUERY_LIMIT
    pending: list[bytes] = field(default_factory=list)
    returned: int = 0


def range_cursor(namespace: str, scan: RangeScan, page_size: int) -> QueryCursor:
    def next_result() -> bytes | None:
        row = scan.next()
        if row is None:
            return None
        kv = kv_query_result_pb2.KV(namespace=namespace, key=row[0], value=row[1])
        return bytes(kv.SerializeToString())

    limit = TOTAL_QUERY_LIMIT
    if 0 < page_size < limit:
        limit = page_size
    return QueryCursor(next_result, paginated=page_size > 0, bookmark=scan.bookmark, limit=limit)


def history_cursor(entries: Iterator[HistoryEntry]) -> QueryCursor:
    def next_result() -> bytes | None:
        entry = next(entries, None)
        if entry is None:
            return None
        modification = kv_query_result_pb2.KeyModification(
            tx_id=entry.tx_id,
            value=entry.value,
            timestamp={"seconds": entry.timestamp_seconds, "nanos": entry.timestamp_nanos},
            is_delete=entry.is_delete,
        )
        return bytes(modification.SerializeToString())

    return QueryCursor(next_result)


class QueryRegistry:
    """The query iterators a transaction has open, keyed by the id sent to the chaincode."""

    def __init__(self) -> None:
        self._cursors: dict[str, QueryCursor] = {}
        self._next_id = 0

    def open(self, cursor: QueryCursor) -> str:
        self._next_id += 1
        query_id = f"q{self._next_id}"
        self._cursors[query_id] = cursor
        return query_id

    def get(self, query_id: str) -> QueryCursor | None:
        return self._cursors.get(query_id)

    def close(self, query_id: str) -> None:
        self._cursors.pop(query_id, None)

    def close_all(self) -> None:
        self._cursors.clear()

    def next_response(self, query_id: str, cursor: QueryCursor) -> bytes:
        """The next ``QueryResponse`` (serialized); closes the cursor when it is finished."""
        while True:
            if cursor.returned >= cursor.limit:
                return self._final(query_id, cursor)
            result = cursor.next_result()
            if result is None:
                return self._final(query_id, cursor)
            if not cursor.paginated and len(cursor.pending) == MAX_RESULTS_PER_RESPONSE:
                batch = cursor.pending
                cursor.pending = [result]
                cursor.returned += 1
                return _response(query_id, batch, has_more=True)
            cursor.pending.append(result)
            cursor.returned += 1

    def _final(self, query_id: str, cursor: QueryCursor) -> bytes:
        batch, cursor.pending = cursor.pending, []
        self.close(query_id)
        metadata = b""
        if cursor.paginated:
            metadata = chaincode_shim_pb2.QueryResponseMetadata(
                fetched_records_count=cursor.returned, bookmark=cursor.bookmark()
            ).SerializeToString()
        return _response(query_id, batch, has_more=False, metadata=metadata)


def _response(query_id: str, batch: list[bytes], has_more: bool, metadata: bytes = b"") -> bytes:
    response = chaincode_shim_pb2.QueryResponse(
        results=[chaincode_shim_pb2.QueryResultBytes(resultBytes=r) for r in batch],
        has_more=has_more,
        id=query_id,
        metadata=metadata,
    )
    return bytes(response.SerializeToString())
