"""A data custodian: who vouches for meter readings it did not measure itself (a utility's
meter-data system exporting Green Button files, a head-end), registered by the utility with its
own public key. A meter names the custodians allowed to sign its readings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gridledger_domain.errors import MeterDataError
from gridledger_domain.keys import load_meter_public_key
from gridledger_domain.records.codec import Record
from gridledger_domain.refusals import InvalidRequest

CUSTODIAN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
"""Custodian ids: 1-64 ASCII characters, letters, digits and ``. _ : -``, starting alphanumeric
(the meter ids' alphabet)."""
MAX_CUSTODIAN_NAME = 128
MAX_METER_CUSTODIANS = 16
"""Most custodians one meter may allow."""


def validate_custodian_id(custodian_id: object) -> str:
    """Return ``custodian_id`` if well formed, else raise InvalidRequest naming it."""
    if not isinstance(custodian_id, str) or CUSTODIAN_ID_PATTERN.match(custodian_id) is None:
        raise InvalidRequest(
            "data custodian id must be 1-64 characters [A-Za-z0-9._:-] starting alphanumeric: "
            f"{custodian_id!r}"
        )
    return custodian_id


def validate_custodian_ids(ids: object, what: str) -> tuple[str, ...]:
    """A meter's custodians: well-formed ids, no repeats, at most ``MAX_METER_CUSTODIANS``."""
    if not isinstance(ids, list | tuple):
        raise InvalidRequest(f"{what}: expected a list of data custodian ids")
    if len(ids) > MAX_METER_CUSTODIANS:
        raise InvalidRequest(
            f"{what}: at most {MAX_METER_CUSTODIANS} data custodians per meter, got {len(ids)}"
        )
    checked = tuple(validate_custodian_id(item) for item in ids)
    repeated = sorted({item for item in checked if checked.count(item) > 1})
    if repeated:
        raise InvalidRequest(f"{what}: data custodian named twice: {', '.join(repeated)}")
    return checked


@dataclass(frozen=True, slots=True)
class DataCustodian(Record):
    """A registered data custodian: its id (named by meters and by readings' ``signer``), the
    PEM P-256 public key its signatures are verified with, and a display name."""

    custodian_id: str
    public_key_pem: str
    display_name: str

    def __post_init__(self) -> None:
        validate_custodian_id(self.custodian_id)
        try:
            load_meter_public_key(self.public_key_pem)
        except MeterDataError as exc:
            raise InvalidRequest(f"data custodian {self.custodian_id}: {exc}") from exc
        name = self.display_name
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_CUSTODIAN_NAME:
            raise InvalidRequest(f"display name must be 1-{MAX_CUSTODIAN_NAME} characters")
