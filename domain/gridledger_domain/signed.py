"""A reading with its device signature, and its JSON transport form."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gridledger_domain.errors import InvalidReading
from gridledger_domain.keys import MeterKey
from gridledger_domain.reading import METER_ID_PATTERN, MeterReading
from gridledger_domain.signing import sign_reading
from gridledger_domain.timeutil import format_utc, parse_utc

_FIELDS = ("meter_id", "interval_start", "import_wh", "export_wh", "signature")
_OPTIONAL = ("estimated", "signer")
_SIGNER_PATTERN = METER_ID_PATTERN  # custodian ids share the meter ids' alphabet


@dataclass(frozen=True, slots=True)
class SignedReading:
    """A reading and the DER signature over its canonical encoding, made by the meter itself
    or, when ``signer`` names one, by that data custodian (its provenance: the custodian vouches
    for a reading it holds, e.g. from a Green Button file)."""

    reading: MeterReading
    signature: bytes
    signer: str = ""
    """The data custodian id that signed, or empty: the meter's own key."""

    def to_json_dict(self) -> dict[str, Any]:
        """Transport form: interval start as ``YYYY-MM-DDTHH:MM:SSZ``, signature base64."""
        data: dict[str, Any] = {
            "meter_id": self.reading.meter_id,
            "interval_start": format_utc(self.reading.interval_start),
            "import_wh": self.reading.import_wh,
            "export_wh": self.reading.export_wh,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }
        if self.reading.estimated:  # written only when true: older readings keep their bytes
            data["estimated"] = True
        if self.signer:  # written only for a custodian's signature, likewise
            data["signer"] = self.signer
        return data

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> SignedReading:
        """Parse the transport form; unknown or missing fields are refused."""
        if not isinstance(data, Mapping):
            raise InvalidReading("a signed reading must be a JSON object")
        keys = set(data)
        if keys != set(_FIELDS) and keys - set(_OPTIONAL) != set(_FIELDS):
            missing = sorted(set(_FIELDS) - keys)
            extra = sorted(keys - set(_FIELDS) - set(_OPTIONAL))
            raise InvalidReading(f"signed reading fields: missing {missing}, unexpected {extra}")
        start_text = data["interval_start"]
        if not isinstance(start_text, str):
            raise InvalidReading("interval_start must be a string YYYY-MM-DDTHH:MM:SSZ")
        try:
            start = parse_utc(start_text)
        except ValueError as exc:
            raise InvalidReading(str(exc)) from exc
        signature_text = data["signature"]
        if not isinstance(signature_text, str):
            raise InvalidReading("signature must be a base64 string")
        try:
            signature = base64.b64decode(signature_text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidReading("signature is not valid base64") from exc
        estimated = data.get("estimated", False)
        if type(estimated) is not bool:
            raise InvalidReading("estimated must be true or false")
        signer = data.get("signer", "")
        if "signer" in data and (
            not isinstance(signer, str) or _SIGNER_PATTERN.match(signer) is None
        ):
            raise InvalidReading(
                "signer must be a data custodian id, 1-64 characters [A-Za-z0-9._:-] starting "
                f"alphanumeric: {signer!r}"
            )
        reading = MeterReading(
            data["meter_id"], start, data["import_wh"], data["export_wh"], estimated
        )
        return cls(reading, signature, signer)


def sign(reading: MeterReading, key: MeterKey, signer: str = "") -> SignedReading:
    """Sign ``reading`` with the meter's key, or with data custodian ``signer``'s key."""
    return SignedReading(reading, sign_reading(reading, key), signer)
