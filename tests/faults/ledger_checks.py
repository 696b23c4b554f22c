"""Reading back what the ledger holds, through the client only: blocks, readings, history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fabric_protos.common import common_pb2
from gridledger_chaincode.shim.keys import create_composite_key
from gridledger_network.devnet.ledger.blocks import block_header_hash, compute_data_hash
from harness.blocks import transaction_ids, validation_codes
from harness.streams import read_until

from faults.fault_network import CHANNEL, PYTHON_CHAINCODE

VALID = 0


@dataclass(frozen=True)
class Chain:
    """Every block 0..height-1, checked: numbering, hash chain, data hash, one code per tx."""

    height: int
    valid_transactions: dict[str, int]  # tx id -> block number, VALID transactions only


def ledger_height(gateway: Any) -> int:
    """Commit a no-op and return the height right after it."""
    kv = gateway.network(CHANNEL).contract(PYTHON_CHAINCODE, "kv")
    status = kv.new_proposal("Noop").endorse().submit().status()
    return int(status.block_number) + 1


def read_chain(gateway: Any) -> Chain:
    height = ledger_height(gateway)
    network = gateway.network(CHANNEL)
    blocks = read_until(
        network.block_events(start_block=0), lambda b: b.header.number >= height - 1
    )
    assert [b.header.number for b in blocks] == list(range(height)), "blocks missing or repeated"
    valid: dict[str, int] = {}
    previous_hash = b""
    for block in blocks:
        number = int(block.header.number)
        assert bytes(block.header.previous_hash) == previous_hash, f"block {number}: broken chain"
        data = [bytes(d) for d in block.data.data]
        assert bytes(block.header.data_hash) == compute_data_hash(data), (
            f"block {number}: data does not match its header (half-written?)"
        )
        for envelope in data:
            common_pb2.Envelope.FromString(envelope)  # every transaction parses
        codes = validation_codes(block)
        if number > 0:
            assert len(codes) == len(data), f"block {number}: validation codes missing"
            for tx_id, code in zip(transaction_ids(block), codes, strict=True):
                if code == VALID:
                    assert tx_id not in valid, f"transaction {tx_id} VALID twice"
                    valid[tx_id] = number
        previous_hash = block_header_hash(block.header)
    return Chain(height, valid)


def reading_key(meter_id: str, interval: str) -> str:
    """The energy contract's key of a meter's reading at ``interval`` (``...T..:..:..Z``)."""
    day = interval[:10] + "T00:00:00Z"
    return create_composite_key("energy.reading", [meter_id, day, interval])


def readings_on_ledger(gateway: Any, meter_id: str) -> dict[str, tuple[int, int]]:
    """interval -> (import Wh, export Wh) of every reading of the meter (a range read)."""
    kv = gateway.network(CHANNEL).contract(PYTHON_CHAINCODE, "kv")
    records = json.loads(kv.evaluate("ListComposite", "energy.reading", meter_id))
    readings = {}
    for record in records:
        value = json.loads(record["value"])
        readings[value["interval_start"]] = (int(value["import_wh"]), int(value["export_wh"]))
    return readings


def writes_of_key(gateway: Any, key: str) -> int:
    """How many transactions wrote the key (its history)."""
    kv = gateway.network(CHANNEL).contract(PYTHON_CHAINCODE, "kv")
    return len(json.loads(kv.evaluate("History", key)))
