"""The ledger's records, as the chaincode stores them and the client reads them back.

One definition each, with its validation rules and its JSON codec (``to_json_dict`` /
``from_json_dict``): instants are Unix seconds (UTC) in Python and ``YYYY-MM-DDTHH:MM:SSZ`` in
JSON, energy integer Wh, money integer minor units, prices scaled minor units per kWh.
"""

from gridledger_domain.records.bills import (
    BILL_FORMAT,
    Bill,
    CertificateClaim,
    Estimate,
    LineItem,
    MatchedEnergy,
    MissingReading,
    Revision,
    bill_id_for,
)
from gridledger_domain.records.certificates import Certificate
from gridledger_domain.records.custodians import DataCustodian
from gridledger_domain.records.market import Offer, Trade
from gridledger_domain.records.meters import Meter
from gridledger_domain.records.participants import Participant
from gridledger_domain.records.tariffs import Tariff, TouBand

__all__ = [
    "BILL_FORMAT",
    "Bill",
    "Certificate",
    "CertificateClaim",
    "DataCustodian",
    "Estimate",
    "LineItem",
    "MatchedEnergy",
    "Meter",
    "MissingReading",
    "Offer",
    "Participant",
    "Revision",
    "Tariff",
    "TouBand",
    "Trade",
    "bill_id_for",
]
