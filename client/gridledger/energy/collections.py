"""Which meter-data collection an organisation's households' data goes to, and its members, for
``collections=`` on submits with transient data (docs/private-data.md):

    name, members = meter_data_collection("ProsumerMSP")
    contract.submit(..., transient=..., endorsing_orgs=list(members), collections={name: members})
"""

from __future__ import annotations

from gridledger_domain.collections import meter_data_collection_name, meter_data_members

# the utility's organisation in the networks `gridledger network up` / `fabric up` make (the
# first organisation of devnet.yaml / fabric.yaml); pass ``utility=`` for another
DEFAULT_UTILITY_MSP = "GridOperatorMSP"


def meter_data_collection(
    msp_id: str, *, utility: str = DEFAULT_UTILITY_MSP
) -> tuple[str, tuple[str, ...]]:
    """``(mdata_<msp_id>, members)``: the utility and ``msp_id`` (the utility alone for its own
    households). Raises ``InvalidRequest`` for a malformed MSP id."""
    return meter_data_collection_name(msp_id), meter_data_members(msp_id, utility)


__all__ = ["DEFAULT_UTILITY_MSP", "meter_data_collection"]
