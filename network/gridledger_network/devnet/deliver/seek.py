"""Parsing and checking a Deliver request envelope carrying an ``orderer.SeekInfo``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from fabric_protos.common import common_pb2
from fabric_protos.orderer import ab_pb2

TIME_WINDOW_SECONDS = 15 * 60


class SeekRejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True, slots=True)
class SeekRequest:
    channel_id: str
    creator: bytes
    seek_info: Any  # orderer.SeekInfo


def parse_seek_request(envelope: Any) -> SeekRequest:
    try:
        payload = common_pb2.Payload.FromString(envelope.payload)
        if not payload.HasField("header"):
            raise ValueError("envelope has no header")
        channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        signature_header = common_pb2.SignatureHeader.FromString(payload.header.signature_header)
    except Exception as err:
        raise SeekRejected(common_pb2.BAD_REQUEST, f"error parsing envelope: {err}") from err
    if not channel_header.HasField("timestamp"):
        raise SeekRejected(
            common_pb2.BAD_REQUEST, "channel header in envelope must contain timestamp"
        )
    sent = channel_header.timestamp.seconds + channel_header.timestamp.nanos / 1e9
    if abs(time.time() - sent) > TIME_WINDOW_SECONDS:
        raise SeekRejected(
            common_pb2.BAD_REQUEST,
            "envelope timestamp is more than 15m0s apart from current server time",
        )
    try:
        seek_info = ab_pb2.SeekInfo.FromString(payload.data)
    except Exception as err:
        raise SeekRejected(common_pb2.BAD_REQUEST, f"malformed seekInfo payload: {err}") from err
    return SeekRequest(channel_header.channel_id, signature_header.creator, seek_info)


def start_number(position: Any, height: int) -> int:
    kind = position.WhichOneof("Type")
    if kind == "oldest":
        return 0
    if kind == "newest":
        return max(height - 1, 0)
    if kind == "specified":
        return int(position.specified.number)
    return height  # next_commit


def stop_number(seek_info: Any, start: int, height: int) -> int:
    stop = seek_info.stop
    kind = stop.WhichOneof("Type")
    if kind == "oldest":
        return start
    if kind == "newest":
        if seek_info.start == seek_info.stop:
            return start
        return max(height - 1, 0)
    if kind == "specified":
        number = int(stop.specified.number)
        if number < start:
            raise SeekRejected(
                common_pb2.BAD_REQUEST,
                f"start number {start} greater than stop number {number}",
            )
        return number
    return (1 << 64) - 1
