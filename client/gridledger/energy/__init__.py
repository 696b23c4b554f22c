"""The typed energy API: ``EnergyClient`` (``AsyncEnergyClient`` for asyncio) over the Gateway
client, the records the ``energy`` contract returns (``gridledger_domain.records``: instants are
Unix seconds, UTC), its refusals as exceptions, and a meter-signing helper.

    from gridledger.energy import EnergyClient, MeterSigner

    with EnergyClient.connect(".devnet", "GridOperatorMSP", "utility") as utility:
        summary = utility.submit_readings(readings, on_progress=print)
        bill = utility.settle(participant_id, "2025-06-21T00:00:00Z", "2025-06-22T00:00:00Z")
"""

from gridledger.energy._async.client import AsyncEnergyClient
from gridledger.energy._sync.client import EnergyClient
from gridledger.energy.answers import ResponseFormatError
from gridledger.energy.audit import AuditCheck, AuditRecord, AuditVerdict, read_audit_records
from gridledger.energy.batching import DEFAULT_BATCH_SIZE, ReadingBatch, plan_batches
from gridledger.energy.bills import BillVerification, DayStatementVerification
from gridledger.energy.closing import (
    ClosingProgress,
    DayClosing,
    DayNotClosed,
    DayResult,
    DayStatus,
)
from gridledger.energy.erasure import ErasureReceipt, ErasureTransaction, MemberCheck
from gridledger.energy.errors import (
    AccessDenied,
    Conflict,
    EnergyError,
    IncompleteData,
    InvalidRequest,
    NotFound,
    refusal_from,
)
from gridledger.energy.instants import Instant
from gridledger.energy.participants import CallerInfo
from gridledger.energy.prices import (
    format_amount,
    format_energy,
    format_price,
    price_from_minor_per_kwh,
)
from gridledger.energy.readings import (
    BatchFailure,
    BatchResult,
    Progress,
    ReadingSubmissionError,
    SubmissionSummary,
)
from gridledger.energy.revisions import DayRevision, DayToRevise
from gridledger.energy.settlements import Settlement
from gridledger.energy.signing import CustodianSigner, HeadEnd, MeterSigner, UnknownMeterKey
from gridledger_domain import MeterReading, SignedReading
from gridledger_domain.identifiers import split_participant_id
from gridledger_domain.records import (
    Bill,
    Certificate,
    CertificateClaim,
    DataCustodian,
    LineItem,
    MatchedEnergy,
    Meter,
    MissingReading,
    Offer,
    Participant,
    Tariff,
    TouBand,
    Trade,
)
from gridledger_domain.units import PRICE_SCALE
from gridledger_domain.vocabulary import (
    BillStatus,
    CertificateStatus,
    EnergySource,
    LineKind,
    MeterKind,
    MeterStatus,
    OfferStatus,
    Role,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "PRICE_SCALE",
    "AccessDenied",
    "AsyncEnergyClient",
    "AuditCheck",
    "AuditRecord",
    "AuditVerdict",
    "BatchFailure",
    "BatchResult",
    "Bill",
    "BillStatus",
    "BillVerification",
    "CallerInfo",
    "Certificate",
    "CertificateClaim",
    "CertificateStatus",
    "ClosingProgress",
    "Conflict",
    "CustodianSigner",
    "DataCustodian",
    "DayClosing",
    "DayNotClosed",
    "DayResult",
    "DayRevision",
    "DayStatementVerification",
    "DayStatus",
    "DayToRevise",
    "EnergyClient",
    "EnergyError",
    "EnergySource",
    "ErasureReceipt",
    "ErasureTransaction",
    "HeadEnd",
    "IncompleteData",
    "Instant",
    "InvalidRequest",
    "LineItem",
    "LineKind",
    "MatchedEnergy",
    "MemberCheck",
    "Meter",
    "MeterKind",
    "MeterReading",
    "MeterSigner",
    "MeterStatus",
    "MissingReading",
    "NotFound",
    "Offer",
    "OfferStatus",
    "Participant",
    "Progress",
    "ReadingBatch",
    "ReadingSubmissionError",
    "ResponseFormatError",
    "Role",
    "Settlement",
    "SignedReading",
    "SubmissionSummary",
    "Tariff",
    "TouBand",
    "Trade",
    "UnknownMeterKey",
    "format_amount",
    "format_energy",
    "format_price",
    "plan_batches",
    "price_from_minor_per_kwh",
    "read_audit_records",
    "refusal_from",
    "split_participant_id",
]
