"""Reading back what the ledger holds, through the client only: blocks, readings, history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fabric_protos.common import common_pb2
from gridledger.energy import EnergyClient
from gridledger_domain import format_utc
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


def readings_on_ledger(
    gateway: Any, meter_id: str, start: str, end: str
) -> dict[str, tuple[int, int]]:
    """interval -> (import Wh, export Wh) of every reading of the meter in [start, end), read
    through the energy contract (the readings are in the household's private data collection;
    the gateway's identity must be the utility or the owner)."""
    energy = EnergyClient.for_network(gateway.network(CHANNEL), PYTHON_CHAINCODE)
    return {
        format_utc(s.reading.interval_start): (s.reading.import_wh, s.reading.export_wh)
        for s in energy.readings(meter_id, start, end).all()
    }
