"""An in-memory ledger with the served chaincode, a registered owner and signing meters: what the
chaincode's unit and fuzz tests start from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from gridledger_chaincode.contracts import build_chaincode
from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.testing import InMemoryLedger, TransactionResult, make_identity
from gridledger_domain import MeterKey, MeterReading, sign, simulated_meter_key

CHAINCODE = build_chaincode()
UTILITY = make_identity("GridOperatorMSP", "utility", attributes={"gridledger.role": "utility"})
OWNER = make_identity("ProsumerMSP", "alice")
OWNER_ID = f"{OWNER.msp_id}::{OWNER.subject}"


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
        return self.ledger.invoke(CHAINCODE, f"energy:{function}", *args, identity=identity)

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
