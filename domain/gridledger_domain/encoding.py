"""The canonical byte encoding of a meter reading (format version 1), the bytes a meter signs.

Layout (all integers unsigned big-endian)::

    tag        24 bytes  ASCII "gridledger.meter-reading"   (domain separation)
    version     1 byte   0x01
    id length   2 bytes  n = length of the meter id in bytes (1..64)
    meter id    n bytes  ASCII
    interval    8 bytes  interval start, Unix seconds UTC, multiple of 900
    import      8 bytes  cumulative import register, Wh
    export      8 bytes  cumulative export register, Wh

An estimated reading (``MeterReading.estimated``) is encoded in format version 2: the same
layout with version byte 0x02 and one trailing flags byte, 0x01 (estimated; every other value is
refused). A reading without the flag is always version 1, byte for byte as before the flag
existed, so every signature made before it still verifies.

Every reading has exactly one encoding and every encoding exactly one reading (see
docs/meter-readings.md).
"""

from __future__ import annotations

import struct

from gridledger_domain.errors import InvalidReading
from gridledger_domain.reading import MeterReading

DOMAIN_TAG = b"gridledger.meter-reading"
FORMAT_VERSION = 1
ESTIMATED_FORMAT_VERSION = 2
ESTIMATED_FLAG = 0x01
_HEADER = DOMAIN_TAG + bytes([FORMAT_VERSION])
_ESTIMATED_HEADER = DOMAIN_TAG + bytes([ESTIMATED_FORMAT_VERSION])
_ESTIMATED_TRAILER = bytes([ESTIMATED_FLAG])
_LENGTH = struct.Struct(">H")
_NUMBERS = struct.Struct(">QQQ")


def encode_reading(reading: MeterReading) -> bytes:
    """The exact bytes signed by the meter for ``reading``."""
    meter_id = reading.meter_id.encode("ascii")
    numbers = _NUMBERS.pack(reading.interval_start, reading.import_wh, reading.export_wh)
    header, trailer = (
        (_ESTIMATED_HEADER, _ESTIMATED_TRAILER) if reading.estimated else (_HEADER, b"")
    )
    return b"".join((header, _LENGTH.pack(len(meter_id)), meter_id, numbers, trailer))


def decode_reading(data: bytes) -> MeterReading:
    """Inverse of :func:`encode_reading`; refuses any other byte string."""
    if not data.startswith(DOMAIN_TAG):
        raise InvalidReading("not a GridLedger meter reading (domain tag missing)")
    if len(data) < len(_HEADER) + _LENGTH.size or data[len(DOMAIN_TAG)] not in (
        FORMAT_VERSION,
        ESTIMATED_FORMAT_VERSION,
    ):
        raise InvalidReading("unsupported meter reading format version")
    estimated = data[len(DOMAIN_TAG)] == ESTIMATED_FORMAT_VERSION
    offset = len(_HEADER)
    (id_length,) = _LENGTH.unpack_from(data, offset)
    offset += _LENGTH.size
    trailer = len(_ESTIMATED_TRAILER) if estimated else 0
    if len(data) != offset + id_length + _NUMBERS.size + trailer:
        raise InvalidReading("meter reading encoding has the wrong length")
    if estimated and data[-1] != ESTIMATED_FLAG:
        raise InvalidReading("unknown flags in a version 2 meter reading encoding")
    try:
        meter_id = data[offset : offset + id_length].decode("ascii")
    except UnicodeDecodeError as exc:
        raise InvalidReading("meter id is not ASCII") from exc
    interval_start, import_wh, export_wh = _NUMBERS.unpack_from(data, offset + id_length)
    return MeterReading(meter_id, interval_start, import_wh, export_wh, estimated)
