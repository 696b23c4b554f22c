"""Signing readings the way a smart meter does, for head-end systems and simulators.

A thin layer over ``gridledger_domain`` (the one implementation of the reading encoding and
signature, docs/meter-readings.md): a :class:`MeterSigner` holds one meter's key, a
:class:`HeadEnd` holds many and signs rows ``(meter_id, instant, import_wh, export_wh)``, a
:class:`CustodianSigner` signs any allowed meter's readings with a data custodian's key.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gridledger.energy.instants import Instant, to_seconds
from gridledger.errors import GridLedgerError
from gridledger_domain import (
    INTERVAL_SECONDS,
    MeterKey,
    MeterReading,
    SignedReading,
    load_meter_private_key,
    sign,
    simulated_meter_key,
)

KEY_SUFFIX = ".pem"
PUBLIC_KEY_SUFFIX = ".pub.pem"


@dataclass(frozen=True, slots=True)
class MeterSigner:
    """One meter's identity and key: what the device itself would sign with."""

    meter_id: str
    key: MeterKey

    @classmethod
    def simulated(cls, meter_id: str, seed: str | None = None) -> MeterSigner:
        """A deterministic key derived from ``seed`` (default: the meter id). Demos and tests
        only: anyone who knows the seed can sign for the meter."""
        return cls(meter_id, simulated_meter_key(seed if seed is not None else meter_id))

    @classmethod
    def from_private_key_pem(cls, meter_id: str, pem: str | bytes) -> MeterSigner:
        return cls(meter_id, load_meter_private_key(pem))

    @property
    def public_key_pem(self) -> str:
        """The PEM public key the utility registers for this meter."""
        return self.key.public_key_pem()

    def sign(
        self, at: Instant, import_wh: int, export_wh: int, *, estimated: bool = False
    ) -> SignedReading:
        """The signed reading of the registers at the 15-minute aligned instant ``at``
        (``estimated``: the energy of the interval ending at ``at`` is an estimate)."""
        reading = MeterReading(self.meter_id, to_seconds(at), import_wh, export_wh, estimated)
        return sign(reading, self.key)

    def sign_series(
        self, start: Instant, registers: Iterable[tuple[int, int]], *, interval_minutes: int = 15
    ) -> Iterator[SignedReading]:
        """Sign consecutive readings from ``start``, one per ``interval_minutes`` (the meter's
        registered interval length): ``registers`` yields the cumulative (import Wh, export Wh)
        at each instant."""
        instant = to_seconds(start)
        step = interval_minutes * 60 if interval_minutes != 15 else INTERVAL_SECONDS
        for import_wh, export_wh in registers:
            yield self.sign(instant, import_wh, export_wh)
            instant += step


@dataclass(frozen=True, slots=True)
class CustodianSigner:
    """A data custodian's identity and key: signs readings of the meters that allow it
    (``register_meter(..., custodians=...)`` / ``set_meter_custodians``), naming itself as the
    readings' ``signer``; the ledger verifies them against the custodian's registered key,
    ``key.public_key_pem()``. Demos and tests: ``CustodianSigner(id, simulated_meter_key(seed))``.
    """

    custodian_id: str
    key: MeterKey

    def sign_reading(self, reading: MeterReading) -> SignedReading:
        """Sign ``reading`` (its flag included), naming this custodian as its signer."""
        return sign(reading, self.key, self.custodian_id)

    @classmethod
    def from_private_key_pem(cls, custodian_id: str, pem: str | bytes) -> CustodianSigner:
        return cls(custodian_id, load_meter_private_key(pem))


class UnknownMeterKey(GridLedgerError, KeyError):
    """The head-end holds no key for the meter."""


class HeadEnd:
    """The keys of many meters; signs readings by meter id."""

    def __init__(self, signers: Iterable[MeterSigner] = ()) -> None:
        self._signers: dict[str, MeterSigner] = {}
        for signer in signers:
            self.add(signer)

    @classmethod
    def from_key_folder(cls, folder: Path | str) -> HeadEnd:
        """Keys from ``<folder>/<meter id>.pem`` (unencrypted PKCS#8 P-256 private keys);
        public keys beside them (``<meter id>.pub.pem``) are ignored."""
        return cls(
            MeterSigner.from_private_key_pem(path.name[: -len(KEY_SUFFIX)], path.read_bytes())
            for path in sorted(Path(folder).glob(f"*{KEY_SUFFIX}"))
            if not path.name.endswith(PUBLIC_KEY_SUFFIX)
        )

    def add(self, signer: MeterSigner) -> None:
        self._signers[signer.meter_id] = signer

    def signer(self, meter_id: str) -> MeterSigner:
        try:
            return self._signers[meter_id]
        except KeyError:
            raise UnknownMeterKey(f"no key for meter {meter_id}") from None

    @property
    def meter_ids(self) -> list[str]:
        return sorted(self._signers)

    def sign(
        self, meter_id: str, at: Instant, import_wh: int, export_wh: int, *, estimated: bool = False
    ) -> SignedReading:
        return self.signer(meter_id).sign(at, import_wh, export_wh, estimated=estimated)

    def sign_reading(self, reading: MeterReading) -> SignedReading:
        """Sign ``reading`` (its flag included) with its meter's key."""
        return sign(reading, self.signer(reading.meter_id).key)

    def sign_rows(self, rows: Iterable[tuple[str, Instant, int, int]]) -> Iterator[SignedReading]:
        for meter_id, at, import_wh, export_wh in rows:
            yield self.sign(meter_id, at, import_wh, export_wh)
