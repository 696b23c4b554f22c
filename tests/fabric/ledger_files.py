"""Every byte a peer keeps on disk, readable: what its administrator could read from its ledger
folders (block files, LevelDB state, private data and transient stores, snapshots) and logs.

Fabric's LevelDB databases (goleveldb, default options) keep sorted tables whose blocks are
Snappy-compressed and write-ahead logs cut into 32 KiB blocks; both are decoded here, so a search
over :func:`readable_contents` sees every stored value whole. Other files are read as they are.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_BYTES = 48
BLOCK_TRAILER_BYTES = 5  # compression type, CRC-32C
LOG_BLOCK_BYTES = 32768
LOG_HEADER_BYTES = 7  # CRC-32C, length, record type
SNAPPY = 1


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def snappy_decompress(data: bytes) -> bytes:
    """Snappy's raw format (what LevelDB stores): literals and back-references."""
    size, at = _varint(data, 0)
    out = bytearray()
    while at < len(data):
        tag = data[at]
        at += 1
        kind = tag & 3
        if kind == 0:  # literal
            length = tag >> 2
            if length >= 60:
                extra = length - 59
                length = int.from_bytes(data[at : at + extra], "little")
                at += extra
            length += 1
            out += data[at : at + length]
            at += length
            continue
        if kind == 1:
            length = ((tag >> 2) & 7) + 4
            offset = ((tag >> 5) << 8) | data[at]
            at += 1
        elif kind == 2:
            length = (tag >> 2) + 1
            offset = int.from_bytes(data[at : at + 2], "little")
            at += 2
        else:
            length = (tag >> 2) + 1
            offset = int.from_bytes(data[at : at + 4], "little")
            at += 4
        start = len(out) - offset
        for i in range(length):  # may overlap what it writes
            out.append(out[start + i])
    if len(out) != size:
        raise ValueError(f"snappy: {len(out)} bytes decoded, {size} announced")
    return bytes(out)


def _table_block(data: bytes, offset: int, size: int) -> bytes:
    contents = data[offset : offset + size]
    kind = data[offset + size]
    return snappy_decompress(contents) if kind == SNAPPY else contents


def _block_handles(index: bytes) -> Iterator[tuple[int, int]]:
    """The values of an index block: the handles (offset, size) of the data blocks."""
    restarts = struct.unpack_from("<I", index, len(index) - 4)[0]
    end = len(index) - 4 - 4 * restarts
    at = 0
    while at < end:
        _, at = _varint(index, at)
        unshared, at = _varint(index, at)
        value_length, at = _varint(index, at)
        at += unshared
        offset, next_at = _varint(index, at)
        size, _ = _varint(index, next_at)
        yield offset, size
        at += value_length


def table_contents(data: bytes) -> Iterator[bytes]:
    """The decompressed data blocks of a LevelDB table (``.ldb``/``.sst``)."""
    footer = data[-FOOTER_BYTES:]
    if struct.unpack_from("<Q", footer, FOOTER_BYTES - 8)[0] != TABLE_MAGIC:
        raise ValueError("not a LevelDB table")
    _, at = _varint(footer, 0)
    _, at = _varint(footer, at)  # the meta index handle
    index_offset, at = _varint(footer, at)
    index_size, _ = _varint(footer, at)
    for offset, size in _block_handles(_table_block(data, index_offset, index_size)):
        yield _table_block(data, offset, size)


def log_records(data: bytes) -> Iterator[bytes]:
    """The records of a LevelDB log (write-ahead ``.log``, ``MANIFEST-*``), fragments joined."""
    record = bytearray()
    for block in range(0, len(data), LOG_BLOCK_BYTES):
        chunk = data[block : block + LOG_BLOCK_BYTES]
        at = 0
        while at + LOG_HEADER_BYTES <= len(chunk):
            length, kind = struct.unpack_from("<HB", chunk, at + 4)
            if kind == 0 and length == 0:
                break  # the rest of the block is padding
            record += chunk[at + LOG_HEADER_BYTES : at + LOG_HEADER_BYTES + length]
            at += LOG_HEADER_BYTES + length
            if kind in (1, 4):  # FULL, LAST
                yield bytes(record)
                record.clear()
    if record:
        yield bytes(record)


def readable_contents(path: Path) -> Iterator[bytes]:
    """``path``'s contents as its reader sees them: LevelDB tables and logs decoded."""
    data = path.read_bytes()
    if path.suffix in (".ldb", ".sst"):
        yield from table_contents(data)
    elif path.suffix == ".log" or path.name.startswith("MANIFEST-"):
        yield from log_records(data)
    else:
        yield data


def folder_contents(folder: Path) -> Iterator[tuple[Path, bytes]]:
    """Every file under ``folder``, decoded (``readable_contents``), with its path."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for contents in readable_contents(path):
            yield path, contents


def found_in_folder(folder: Path, secrets: dict[str, bytes]) -> dict[str, list[str]]:
    """Which of ``secrets`` (name -> bytes) some file under ``folder`` holds, and where."""
    found: dict[str, list[str]] = {}
    for path, contents in folder_contents(folder):
        for name, secret in secrets.items():
            if secret in contents:
                found.setdefault(name, []).append(str(path.relative_to(folder)))
    return found
