"""The key-value workloads, defined once; bench/node/worker.mjs mirrors them key for key.

- ``put``    Put(prefix+"p-"+i, 100-byte value): a new key every transaction.
- ``addto``  AddTo(prefix+"a-"+(i mod 2048), "1"): read-modify-write of an existing key (set-up
             creates the 2,048 keys once; with at most a few hundred in flight no two concurrent
             transactions touch the same key, so there are no MVCC conflicts by construction).
- ``range``  Range(prefix+"r-000", prefix+"r-100"): a 100-key range read (set-up puts the keys).
- ``noop``   Noop(): no reads, no writes; the network's ceiling.
- ``readings`` (P3) energy SubmitReadings batches of signed readings: bench/readings_worker.py.
- ``settle`` (P4) energy Settle of one consumer-month each: bench/settlement_worker.py.
"""

from __future__ import annotations

from dataclasses import dataclass

POOL = 2048
RANGE_KEYS = 100
VALUE = "v" * 100
READINGS_BATCH = 500  # the client's default batch size (see gridledger.energy.submit_readings)


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    title: str
    items_per_tx: int


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload("put", "put new key (100 B)", 1),
        Workload("addto", "read-modify-write AddTo", 1),
        Workload("range", "100-key range read", RANGE_KEYS),
        Workload("noop", "Noop (ceiling)", 1),
        Workload("readings", f"signed readings, {READINGS_BATCH}/tx", READINGS_BATCH),
        Workload("settle", "settle a consumer-month (2,880 intervals)", 1),
    )
}


def call(workload: str, prefix: str, index: int) -> tuple[str, list[str]]:
    """The transaction name and arguments of the ``index``-th transaction of ``workload``."""
    if workload == "put":
        return "Put", [f"{prefix}p-{index:09d}", VALUE]
    if workload == "addto":
        return "AddTo", [f"{prefix}a-{index % POOL:05d}", "1"]
    if workload == "range":
        return "Range", [f"{prefix}r-000", f"{prefix}r-{RANGE_KEYS:03d}"]
    if workload == "noop":
        return "Noop", []
    raise ValueError(f"unknown workload {workload!r}")


def setup_calls(workload: str, prefix: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """(key whose presence means set-up was done, the set-up transactions) for ``workload``."""
    if workload == "addto":
        return f"{prefix}a-{POOL - 1:05d}", [
            ("AddTo", [f"{prefix}a-{i:05d}", "0"]) for i in range(POOL)
        ]
    if workload == "range":
        return f"{prefix}r-{RANGE_KEYS - 1:03d}", [
            ("Put", [f"{prefix}r-{i:03d}", VALUE]) for i in range(RANGE_KEYS)
        ]
    return "", []
