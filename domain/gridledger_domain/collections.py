"""Meter-data private data collections: their names and members (docs/private-data.md).

One collection per pair of the utility and a participant's own organisation, ``mdata_<MSP>``
(members the utility and ``<MSP>``), and ``mdata_<utility>`` for the utility's own households
(the utility and the network's second organisation). The network's bring-ups define them from
the organisations; the chaincode and the client name them with these functions.
"""

from __future__ import annotations

from gridledger_domain.identifiers import MSP_ID_PATTERN
from gridledger_domain.refusals import InvalidRequest

METER_DATA_PREFIX = "mdata_"
DEFAULT_UTILITY_MSP = "GridOperatorMSP"
"""The utility's organisation in the networks ``gridledger network up`` / ``fabric up`` make
(the first organisation of devnet.yaml / fabric.yaml); the contract's and the client's default."""


def _msp(msp_id: str, what: str) -> str:
    if not isinstance(msp_id, str) or MSP_ID_PATTERN.match(msp_id) is None:
        raise InvalidRequest(f"invalid {what} MSP id: {msp_id!r}")
    return msp_id


def meter_data_collection_name(msp_id: str) -> str:
    """``mdata_<MSP>``: the collection holding the meter data of ``msp_id``'s households."""
    return METER_DATA_PREFIX + _msp(msp_id, "organisation")


def meter_data_members(msp_id: str, utility: str, partner: str | None = None) -> tuple[str, ...]:
    """The members of ``mdata_<msp_id>``: the utility, and ``msp_id`` unless it is the utility;
    the utility's own collection also has ``partner`` (the network's second organisation, when
    known: docs/private-data.md)."""
    _msp(msp_id, "organisation")
    _msp(utility, "utility")
    if msp_id != utility:
        return (utility, msp_id)
    return (utility, _msp(partner, "partner")) if partner and partner != utility else (utility,)


def is_meter_data_collection(name: str) -> bool:
    return name.startswith(METER_DATA_PREFIX)
