"""Which meter-data collection an organisation's households' data goes to, and its members, for
``collections=`` on submits with transient data (docs/private-data.md):

    name, members = meter_data_collection("ProsumerMSP")
    contract.submit(..., transient=..., endorsing_orgs=list(members), collections={name: members})
"""

from __future__ import annotations

from dataclasses import dataclass

from gridledger_domain.collections import (
    DEFAULT_UTILITY_MSP,
    meter_data_collection_name,
    meter_data_members,
)


def meter_data_collection(
    msp_id: str, *, utility: str = DEFAULT_UTILITY_MSP
) -> tuple[str, tuple[str, ...]]:
    """``(mdata_<msp_id>, members)``: the utility and ``msp_id`` (the utility alone for its own
    households). Raises ``InvalidRequest`` for a malformed MSP id."""
    return meter_data_collection_name(msp_id), meter_data_members(msp_id, utility)


@dataclass(frozen=True, slots=True)
class MemberEndorsers:
    """The organisations to name as endorsers of a call carrying a household's transient data
    (``endorsing_orgs``), and the collection it writes with its members (``collections``, for
    the Gateway guard)."""

    orgs: tuple[str, ...]
    collections: dict[str, tuple[str, ...]]


def member_endorsers(
    caller_msp: str, household_msp: str, *, utility: str = DEFAULT_UTILITY_MSP
) -> MemberEndorsers | None:
    """Whom a caller of ``caller_msp`` names to endorse a call carrying transient data of a
    household of ``household_msp`` (its readings, its salt): None when the caller's
    organisation is a member of the household's collection (the Gateway then plans members
    only, its own peer first); else the collection's members, because with no named
    organisations Fabric's Gateway endorses on the caller's own peer first, which would see the
    transient data without being a member (docs/private-data.md, "Auditors")."""
    name, members = meter_data_collection(household_msp, utility=utility)
    if caller_msp in members:  # the utility always is
        return None
    return MemberEndorsers(members, {name: members})


__all__ = ["DEFAULT_UTILITY_MSP", "MemberEndorsers", "member_endorsers", "meter_data_collection"]
