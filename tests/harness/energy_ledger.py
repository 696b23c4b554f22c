"""An in-memory ledger with the served chaincode, a registered owner and signing meters: what the
chaincode's unit and fuzz tests start from."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from gridledger_chaincode.contracts import build_chaincode
from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.testing import InMemoryLedger, TransactionResult, make_identity
from gridledger_domain import MeterKey, MeterReading, sign, simulated_meter_key
from gridledger_domain.meter_data import readings_request, registration_transient

CHAINCODE = build_chaincode()
UTILITY = make_identity("GridOperatorMSP", "utility", attributes={"gridledger.role": "utility"})
OWNER = make_identity("ProsumerMSP", "alice")
OWNER_ID = f"{OWNER.msp_id}::{OWNER.subject}"


Sent = tuple[list[str | bytes], dict[str, bytes]]


def as_sent(function: str, args: Sequence[str | bytes]) -> Sent:
    """The arguments and transient data the client library sends for ``function`` called with
    ``args`` as the contract took them before private meter data: ``RegisterParticipant`` gets a
    salt (derived from its arguments: tests are repeatable), ``SubmitReadings`` with one JSON
    array moves it into the transient data (its count and SHA-256 as arguments)."""
    name = function.rsplit(":", 1)[-1]
    if name == "RegisterParticipant":
        seed = hashlib.sha256("|".join(str(a) for a in args[:2]).encode()).digest()
        return list(args), registration_transient(seed)
    if name == "SubmitReadings" and len(args) == 1:
        try:
            items = json.loads(args[0])
        except ValueError:
            return list(args), {}
        if isinstance(items, list) and all(isinstance(item, dict) for item in items):
            sent, transient = readings_request(items)
            return list(sent), transient
    return list(args), {}


@dataclass
class EnergyLedger:
    """The ledger, and the key of each registered meter."""

    ledger: InMemoryLedger = field(default_factory=InMemoryLedger)
    keys: dict[str, MeterKey] = field(default_factory=dict)

    @classmethod
    def with_meters(cls, *meter_ids: str) -> EnergyLedger:
        """``OWNER`` registered as a prosumer, owning bidirectional grid meters ``meter_ids``."""
        energy = cls()
        energy.ledger.default_identity = UTILITY
        energy.ok("RegisterParticipant", OWNER.msp_id, OWNER.subject, "prosumer", "north", "Alice")
        for meter_id in meter_ids:
            key = simulated_meter_key(f"fuzz {meter_id}")
            energy.keys[meter_id] = key
            energy.ok(
                "RegisterMeter",
                meter_id,
                OWNER_ID,
                "bidirectional",
                "grid",
                "north",
                key.public_key_pem(),
            )
        return energy

    def invoke(
        self, function: str, *args: str, identity: ClientIdentity | None = None
    ) -> TransactionResult:
        sent, transient = as_sent(function, args)
        return self.ledger.invoke(
            CHAINCODE, f"energy:{function}", *sent, identity=identity, transient=transient
        )

    def ok(self, function: str, *args: str) -> TransactionResult:
        result = self.invoke(function, *args)
        assert result.ok, result.message
        return result

    def signed(self, *readings: tuple[str, int, int, int]) -> list[dict[str, object]]:
        """(meter id, instant, import Wh, export Wh) signed by the meters, in transport form."""
        return [
            sign(MeterReading(meter, instant, imported, exported), self.keys[meter]).to_json_dict()
            for meter, instant, imported, exported in readings
        ]

    def submit(self, *readings: tuple[str, int, int, int]) -> TransactionResult:
        """``SubmitReadings`` of (meter id, instant, import Wh, export Wh), signed by the meters."""
        return self.invoke("SubmitReadings", json.dumps(self.signed(*readings)))
