"""What GridLedger's client and chaincode share: the energy vocabulary and the signed meter reading.

The vocabulary (meter kinds, energy sources, roles, statuses, bill line kinds, the contract's
refusal kinds and the project's error root) is defined here once and imported by both sides. The
canonical, signed encoding of a smart-meter reading is used by meters/head-ends (signing), the
client and the chaincode (verifying); its format is in docs/meter-readings.md, with test vectors.
"""

from gridledger_domain.batch import BatchVerdict, verify_batch
from gridledger_domain.encoding import DOMAIN_TAG, FORMAT_VERSION, decode_reading, encode_reading
from gridledger_domain.errors import (
    GridLedgerError,
    InvalidMeterKey,
    InvalidReading,
    InvalidSignature,
    MeterDataError,
)
from gridledger_domain.keys import (
    MeterKey,
    generate_meter_key,
    load_meter_private_key,
    load_meter_public_key,
    public_key_to_pem,
    simulated_meter_key,
)
from gridledger_domain.reading import MeterReading, interval_energy, validate_meter_id
from gridledger_domain.signed import SignedReading, sign
from gridledger_domain.signing import (
    check_signature_form,
    is_valid_signature,
    sign_reading,
    to_low_s,
    verify_reading,
)
from gridledger_domain.timeutil import (
    INTERVAL_SECONDS,
    MAX_SAFE_INTEGER,
    format_utc,
    from_datetime,
    is_aligned,
    parse_utc,
)

__all__ = [
    "DOMAIN_TAG",
    "FORMAT_VERSION",
    "INTERVAL_SECONDS",
    "MAX_SAFE_INTEGER",
    "BatchVerdict",
    "GridLedgerError",
    "InvalidMeterKey",
    "InvalidReading",
    "InvalidSignature",
    "MeterDataError",
    "MeterKey",
    "MeterReading",
    "SignedReading",
    "check_signature_form",
    "decode_reading",
    "encode_reading",
    "format_utc",
    "from_datetime",
    "generate_meter_key",
    "interval_energy",
    "is_aligned",
    "is_valid_signature",
    "load_meter_private_key",
    "load_meter_public_key",
    "parse_utc",
    "public_key_to_pem",
    "sign",
    "sign_reading",
    "simulated_meter_key",
    "to_low_s",
    "validate_meter_id",
    "verify_batch",
    "verify_reading",
]
