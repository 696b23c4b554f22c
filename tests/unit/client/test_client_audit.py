"""Auditing records on the client side: reading ``AuditMeterData`` records and judging them
against a peer's hashes (``gridledger.energy.audit``)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace

import pytest
from gridledger.energy import AuditRecord, AuditVerdict, ResponseFormatError, read_audit_records
from gridledger.energy.audit import read_hashes, verdict_of
from gridledger_domain.refusals import InvalidRequest

TEXT = {
    "collection": "mdata_RetailerMSP",
    "key": "ab" * 32,
    "kind": "day",
    "subject": "M-1",
    "at": "2025-04-07T00:00:00Z",
    "value": '[{"meter_id":"M-1"}]',
    "encoding": "text",
}


def test_text_and_base64_values_become_the_stored_bytes() -> None:
    record = AuditRecord.from_json_dict(TEXT)
    assert record.value == b'[{"meter_id":"M-1"}]'
    assert record.sha256 == hashlib.sha256(record.value).hexdigest()
    raw = AuditRecord.from_json_dict(
        {**TEXT, "value": base64.b64encode(b"\xff\x00").decode(), "encoding": "base64"}
    )
    assert raw.value == b"\xff\x00"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"encoding": "hex"}, "field 'encoding': expected text or base64, got 'hex'"),
        ({"encoding": "base64", "value": "not base64!"}, "field 'value': not base64"),
        ({"key": 5}, "field 'key'"),
    ],
)
def test_malformed_records_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        AuditRecord.from_json_dict({**TEXT, **change})


def test_verdicts() -> None:
    record = AuditRecord.from_json_dict(TEXT)
    assert verdict_of(record, record.sha256).verdict is AuditVerdict.MATCHES
    assert verdict_of(record, record.sha256).matches
    differs = verdict_of(record, "00" * 32)
    assert (differs.verdict, differs.peer_sha256) == (AuditVerdict.DIFFERS, "00" * 32)
    assert verdict_of(record, "").verdict is AuditVerdict.ABSENT
    assert verdict_of(record, record.sha256).to_json_dict() == {
        **{k: v for k, v in TEXT.items() if k not in ("value", "encoding")},
        "sha256": record.sha256,
        "verdict": "matches",
        "peer_sha256": record.sha256,
    }


def test_a_hash_answer_must_name_every_key() -> None:
    a, b = {"key": "a", "sha256": "1"}, {"key": "b", "sha256": ""}
    assert read_hashes({"hashes": [a, b]}, ["a", "b"]) == {"a": "1", "b": ""}
    wrong = ({"hashes": [a]}, {"hashes": [b, a]}, {"hashes": []}, [], {"hashes": [a, {"key": "b"}]})
    for answer in wrong:
        with pytest.raises(ResponseFormatError, match="expected a hash"):
            read_hashes(answer, ["a", "b"])


def test_an_export_reads_back_as_the_same_records() -> None:
    text = AuditRecord.from_json_dict(TEXT)
    raw = replace(text, value=b"\xff\x00")
    assert raw.to_json_dict()["encoding"] == "base64" and text.to_json_dict() == TEXT
    exported = json.dumps([text.to_json_dict(), raw.to_json_dict()])
    assert read_audit_records(exported) == [text, raw]
    assert read_audit_records(exported.encode()) == [text, raw]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "not JSON"),
        (b"\xff", "not JSON"),
        ('{"records": []}', "expected a JSON array of audit records"),
        ("[1]", "record 0: expected a JSON object"),
        (json.dumps([TEXT, {**TEXT, "kind": None}]), "record 1: field 'kind'"),
    ],
)
def test_a_malformed_export_names_what_is_wrong(source: str | bytes, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        read_audit_records(source)
