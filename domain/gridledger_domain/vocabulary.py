"""The energy market's vocabulary, defined once for the chaincode and the client.

Every value is the exact string stored on the ledger and shown in answers, so both sides (and
any other language's client) read the same words.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from gridledger_domain.refusals import InvalidRequest


class Role(StrEnum):
    """What a participant does on the market (registered by the utility)."""

    PRODUCER = "producer"
    CONSUMER = "consumer"
    PROSUMER = "prosumer"
    UTILITY = "utility"
    AUDITOR = "auditor"


SELLING_ROLES = frozenset({Role.PRODUCER, Role.PROSUMER})
BUYING_ROLES = frozenset({Role.CONSUMER, Role.PROSUMER})
BILLED_ROLES = frozenset({Role.PRODUCER, Role.CONSUMER, Role.PROSUMER})


class MeterKind(StrEnum):
    """Which way a meter measures energy."""

    PRODUCTION = "production"
    CONSUMPTION = "consumption"
    BIDIRECTIONAL = "bidirectional"


class EnergySource(StrEnum):
    """Where a meter's produced energy comes from (``grid`` for a consumer's meter)."""

    SOLAR = "solar"
    WIND = "wind"
    HYDRO = "hydro"
    BIOMASS = "biomass"
    GEOTHERMAL = "geothermal"
    GAS = "gas"
    COAL = "coal"
    NUCLEAR = "nuclear"
    GRID = "grid"


RENEWABLE_SOURCES = frozenset(
    {
        EnergySource.SOLAR,
        EnergySource.WIND,
        EnergySource.HYDRO,
        EnergySource.BIOMASS,
        EnergySource.GEOTHERMAL,
    }
)
"""Sources whose production earns certificates."""


class MeterStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class OfferStatus(StrEnum):
    OPEN = "open"
    WITHDRAWN = "withdrawn"


class LineKind(StrEnum):
    """A bill's line kinds, in the order they appear on a bill (docs/settlement.md)."""

    TRADE_PURCHASE = "trade_purchase"
    TRADE_SALE = "trade_sale"
    UTILITY_ENERGY = "utility_energy"
    IMBALANCE_CREDIT = "imbalance_credit"
    UNDER_DELIVERY = "under_delivery"
    EXPORT_CREDIT = "export_credit"
    GRID_FEE = "grid_fee"
    FIXED_FEE = "fixed_fee"
    TAX = "tax"


class BillingCycle(StrEnum):
    """How often a tariff's customers get a period bill: each UTC day, or each calendar month."""

    DAILY = "daily"
    MONTHLY = "monthly"


class EstimationMethod(StrEnum):
    """How missing readings were estimated (docs/settlement.md, "Estimation")."""

    LINEAR = "linear"
    PROFILE = "profile"
    FLAT = "flat"


class BillStatus(StrEnum):
    """``incomplete``: readings are missing, so the bill is a preview and cannot be issued."""

    COMPLETE = "complete"
    INCOMPLETE = "incomplete"


class CertificateStatus(StrEnum):
    ACTIVE = "active"
    TRANSFERRED = "transferred"
    RETIRED = "retired"


_Word = TypeVar("_Word", bound=StrEnum)


def parse_word(vocabulary: type[_Word], value: object, what: str) -> _Word:
    """``value`` as a member of ``vocabulary``, or an :class:`InvalidRequest` naming the
    allowed words (``what`` says which field it was, e.g. ``"meter kind"``)."""
    try:
        return vocabulary(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in vocabulary)
        raise InvalidRequest(f"unknown {what} {value!r} (one of: {allowed})") from None
