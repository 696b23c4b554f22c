"""What each suite measures: which client drives which chaincode with which workloads.

P0 Hyperledger's Node client -> Hyperledger's Node chaincode, put: the devnet's own cost.
P1 the same Node client -> our Python chaincode vs the Node chaincode: put, AddTo, range, Noop.
P2 our Python client vs the Node client -> the same (Node) chaincode: put and Noop.
smoke: our client -> our chaincode and Node client -> Node chaincode, put (no ladder).
P3 our Python client -> our chaincode's energy SubmitReadings, batches of signed readings; again
   with the same chaincode defined under a utility-only endorsement policy (``python-utility``).
P4 our Python client -> our chaincode's energy CloseDays (the month's 30 days) and Settle, per
   consumer-month.
P3scale (not in the default list): P3 on a ledger holding 100,000 then 1,000,000 readings,
   run by bench/scale.py rather than as a ``Config`` ladder.
P4scale (not in the default list): billing and listing at a utility's size (issue 16), run by
   bench/p4scale.py.
portal (not in the default list): the market portal over HTTP (offers listing, 1,000 event
   streams, a purchase through the API vs the Python client), run by bench/portal.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Config:
    """One client driving one chaincode with one workload; measured at 32 and at saturation."""

    client: str
    chaincode: str
    workload: str

    @property
    def label(self) -> str:
        return f"{self.client} client -> {self.chaincode} cc"


P1_WORKLOADS = ("put", "addto", "range", "noop")
P2_WORKLOADS = ("put", "noop")


def configs(suites: set[str], *, with_node: bool) -> list[Config]:
    """Every distinct configuration the chosen suites need, each measured once."""
    wanted: list[Config] = []
    if "smoke" in suites:
        wanted.append(Config("python", "python", "put"))
        if with_node:
            wanted.append(Config("node", "node", "put"))
    if "P3" in suites:
        wanted.append(Config("python", "python", "readings"))
        wanted.append(Config("python", "python-utility", "readings"))
    if "P4" in suites:
        wanted.append(Config("python", "python", "settle"))
    if not with_node:
        return wanted + [Config("python", "python", w) for w in P1_WORKLOADS if "P1" in suites]
    if "P0" in suites:
        wanted.append(Config("node", "node", "put"))
    if "P1" in suites:
        for workload in P1_WORKLOADS:
            wanted += [Config("node", "python", workload), Config("node", "node", workload)]
    if "P2" in suites:
        for workload in P2_WORKLOADS:
            wanted += [Config("python", "node", workload), Config("node", "node", workload)]
    return list(dict.fromkeys(wanted))


def pending_rows(*, scale_run: bool = False) -> list[tuple[str, str]]:
    """Parts of the issue not measured by this command, with the reason (printed as rows)."""
    if scale_run:
        return []
    return [
        (
            "P3 variants",
            "not in this run: the same P3 run on a ledger already holding 100,000 / 1,000,000 "
            "readings (scale) is `python -m bench --suites P3scale` (about 10 minutes, not in "
            "the default suites)",
        ),
    ]
