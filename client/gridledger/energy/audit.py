"""Auditing a household's private meter data (docs/private-data.md, "Auditors").

A member of the household's collection (the utility, or the household itself) exports its
private records from its own organisation's peer (``EnergyClient.audit_meter_data``:
``AuditMeterData``; ``AuditRecord.to_json_dict`` is the export's format); an auditor of an
organisation in no collection of the household checks the export on its own peer
(``EnergyClient.verify_audit``: each record's SHA-256 against the hash from
``PrivateDataHashes``; every peer of the channel holds the hashes of every collection's keys and
values), without trusting whoever exported it.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from gridledger.energy.answers import ResponseFormatError
from gridledger.energy.flat_answers import read_flat
from gridledger_domain.records.fields import JsonObject, text
from gridledger_domain.refusals import InvalidRequest

AUDIT_PAGE_SIZE = 64
"""Records per ``AuditMeterData`` page (the contract's maximum)."""
"""Keys per ``PrivateDataHashes`` call (the contract's maximum)."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One private record as a member's peer answered it: ``kind`` ``day`` (a meter's readings
    of one UTC day; ``subject`` the meter id), ``statement`` (a day statement) or ``bill``
    (``subject`` the participant; ``at`` the day, or the bill's ``start/end``); ``key`` is the
    salted private key (hex) in ``collection``."""

    collection: str
    key: str
    kind: str
    subject: str
    at: str
    value: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.value).hexdigest()

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> AuditRecord:
        encoding = text(data, "encoding")
        raw = text(data, "value")
        if encoding == "text":
            value = raw.encode()
        elif encoding == "base64":
            try:
                value = base64.b64decode(raw, validate=True)
            except binascii.Error as exc:
                raise InvalidRequest(f"field 'value': not base64: {exc}") from None
        else:
            raise InvalidRequest(f"field 'encoding': expected text or base64, got {encoding!r}")
        return read_flat(cls, data, value=value)

    def to_json_dict(self) -> dict[str, str]:
        """As ``AuditMeterData`` answers it (``value`` text when it is UTF-8, else base64)."""
        try:
            value, encoding = self.value.decode("utf-8"), "text"
        except UnicodeDecodeError:
            value, encoding = base64.b64encode(self.value).decode(), "base64"
        return {
            "collection": self.collection,
            "key": self.key,
            "kind": self.kind,
            "subject": self.subject,
            "at": self.at,
            "value": value,
            "encoding": encoding,
        }


def read_audit_records(source: str | bytes) -> list[AuditRecord]:
    """The records of an export (a JSON array of ``AuditRecord.to_json_dict``, what
    ``gridledger energy audit --json`` prints). Raises ``InvalidRequest`` naming what is wrong."""
    try:
        data = json.loads(source)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"not JSON: {exc}") from None
    if not isinstance(data, list):
        raise InvalidRequest("expected a JSON array of audit records")
    records: list[AuditRecord] = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise InvalidRequest(f"record {index}: expected a JSON object")
        try:
            records.append(AuditRecord.from_json_dict(item))
        except InvalidRequest as exc:
            raise InvalidRequest(f"record {index}: {exc.reason}") from None
    return records


class AuditVerdict(enum.StrEnum):
    MATCHES = "matches"
    """The hash on the caller's own peer is the SHA-256 of the record's value."""
    DIFFERS = "differs"
    """The caller's peer holds another hash for the key: the value is not what was written."""
    ABSENT = "absent"
    """The caller's peer holds no hash for the key (never written, deleted or purged)."""


@dataclass(frozen=True, slots=True)
class AuditCheck:
    """One record checked against the hash on the caller's own peer (``peer_sha256``: "" when
    it holds none)."""

    record: AuditRecord
    verdict: AuditVerdict
    peer_sha256: str

    @property
    def matches(self) -> bool:
        return self.verdict is AuditVerdict.MATCHES

    def to_json_dict(self) -> dict[str, str]:
        """The record without its value, its SHA-256, the verdict and the peer's hash."""
        r = self.record
        return {
            "collection": r.collection,
            "key": r.key,
            "kind": r.kind,
            "subject": r.subject,
            "at": r.at,
            "sha256": r.sha256,
            "verdict": self.verdict.value,
            "peer_sha256": self.peer_sha256,
        }


def verdict_of(record: AuditRecord, peer_sha256: str) -> AuditCheck:
    if not peer_sha256:
        return AuditCheck(record, AuditVerdict.ABSENT, "")
    verdict = AuditVerdict.MATCHES if peer_sha256 == record.sha256 else AuditVerdict.DIFFERS
    return AuditCheck(record, verdict, peer_sha256)


def read_hashes(answer: Any, keys: list[str]) -> dict[str, str]:
    """The hash of each of ``keys`` in a ``PrivateDataHashes`` answer ("" for none)."""
    hashes = answer.get("hashes") if isinstance(answer, dict) else None
    if (
        not isinstance(hashes, list)
        or [h.get("key") if isinstance(h, dict) else None for h in hashes] != keys
        or not all(isinstance(h.get("sha256"), str) for h in hashes)
    ):
        raise ResponseFormatError('PrivateDataHashes: expected a hash (or "") for every key asked')
    return {str(h["key"]): str(h["sha256"]) for h in hashes}
