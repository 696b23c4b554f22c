"""Verifying many readings at once (head-end uploads, chaincode batch submission)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from gridledger_domain.errors import MeterDataError
from gridledger_domain.keys import load_meter_public_key
from gridledger_domain.signed import SignedReading
from gridledger_domain.signing import verify_reading


@dataclass(frozen=True, slots=True)
class BatchVerdict:
    """Outcome for the reading at ``index`` of a batch: ``reason`` is empty when it verified."""

    index: int
    meter_id: str
    interval_start: int
    reason: str

    @property
    def ok(self) -> bool:
        return not self.reason


def verify_batch(
    readings: Iterable[SignedReading],
    public_key_pem: Callable[[str], str | None],
    custodian_key_pem: Callable[[str], str | None] | None = None,
) -> list[BatchVerdict]:
    """Verify every reading; ``public_key_pem(meter_id)`` returns the PEM key or None if unknown.
    A reading naming a ``signer`` is verified against ``custodian_key_pem(signer)`` instead
    (None, or no such function: an unknown data custodian); whether that custodian may vouch
    for the meter is the caller's rule.

    Each key is looked up and parsed once. The result has one verdict per reading, in
    order; nothing is raised for a bad reading (the caller decides whether one failure rejects all).
    """
    keys: dict[tuple[bool, str], ec.EllipticCurvePublicKey | str] = {}
    verdicts: list[BatchVerdict] = []
    for index, signed in enumerate(readings):
        reading = signed.reading
        source = (bool(signed.signer), signed.signer or reading.meter_id)
        key = keys.get(source)
        if key is None:
            if signed.signer:
                pem = custodian_key_pem(signed.signer) if custodian_key_pem else None
                unknown = f"unknown data custodian {signed.signer}"
            else:
                pem = public_key_pem(reading.meter_id)
                unknown = f"unknown meter {reading.meter_id}"
            if pem is None:
                key = unknown
            else:
                try:
                    key = load_meter_public_key(pem)
                except MeterDataError as exc:
                    key = str(exc)
            keys[source] = key
        if isinstance(key, str):
            reason = key
        else:
            try:
                verify_reading(reading, signed.signature, key)
                reason = ""
            except MeterDataError as exc:
                reason = str(exc)
                if signed.signer:
                    reason += f" with data custodian {signed.signer}'s key"
        verdicts.append(BatchVerdict(index, reading.meter_id, reading.interval_start, reason))
    return verdicts
