"""State, range, composite and history queries through our client and our Python chaincode."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def test_put_then_get_reads_the_committed_value(kv: Any, unique_key: str) -> None:
    key = f"{unique_key}k"
    assert kv.submit("Put", key, "1200 Wh") == b""
    assert kv.evaluate("Get", key) == b"1200 Wh"


def test_add_to_accumulates_across_transactions(kv: Any, unique_key: str) -> None:
    key = f"{unique_key}total"
    assert kv.submit("AddTo", key, "1500") == b"1500"
    assert kv.submit("AddTo", key, "-200") == b"1300"
    assert kv.evaluate("Get", key) == b"1300"


def test_range_pagination_walks_more_keys_than_one_page(kv: Any, unique_key: str) -> None:
    keys = [f"{unique_key}{i:02d}" for i in range(7)]
    for key in keys:  # several transactions, several blocks: versions differ
        kv.submit("Put", key, f"v{key[-2:]}")
    start, end = unique_key, f"{unique_key}~"

    pages = []
    bookmark = ""
    while True:
        page = json.loads(kv.evaluate("RangePage", start, end, "3", bookmark))
        pages.append(page)
        bookmark = page["bookmark"]
        if page["fetched"] < 3 or not bookmark:
            break
        assert len(pages) < 10, "pagination does not terminate"

    assert [p["fetched"] for p in pages][:3] == [3, 3, 1]
    walked = [record["key"] for page in pages for record in page["records"]]
    assert walked == keys
    assert pages[0]["records"][0] == {"key": keys[0], "value": "v00"}

    everything = json.loads(kv.evaluate("Range", start, end))
    assert [r["key"] for r in everything] == keys


def test_partial_composite_key_query(kv: Any, unique_key: str) -> None:
    kind = f"{unique_key}meter"
    kv.submit("PutComposite", kind, "zoneA", "m1", "solar")
    kv.submit("PutComposite", kind, "zoneA", "m2", "wind")
    kv.submit("PutComposite", kind, "zoneB", "m3", "hydro")
    listed = json.loads(kv.evaluate("ListComposite", kind, "zoneA"))
    assert sorted(r["value"] for r in listed) == ["solar", "wind"]


def test_history_lists_every_write_newest_first(kv: Any, unique_key: str) -> None:
    key = f"{unique_key}h"
    first = kv.new_proposal("Put", args=[key, "one"]).endorse()
    first_id = first.submit().transaction_id
    second = kv.new_proposal("Put", args=[key, "two"]).endorse()
    second_commit = second.submit()
    assert second_commit.status().successful
    third = kv.new_proposal("Delete", args=[key]).endorse()
    third_commit = third.submit()
    assert third_commit.status().successful

    history = json.loads(kv.evaluate("History", key))
    assert [(h["txId"], h["value"], h["isDelete"]) for h in history] == [
        (third_commit.transaction_id, "", True),
        (second_commit.transaction_id, "two", False),
        (first_id, "one", False),
    ]
