"""Keeping transient data inside the collections' member orgs (Fabric's ``planFromFirstEndorser``).

When a proposal carries transient data and the client lets the gateway choose the endorsers,
Fabric plans with every written collection treated as read (``no_private_reads`` cleared), so only
the collections' member orgs are picked. If that plan fails but the unrestricted one would not,
the gateway refuses rather than send the transient data to a non-member org.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fabric_protos.peer import proposal_response_pb2

NO_LOCAL_ENDORSER = (
    "no endorsers found in the gateway's organization; retry specifying endorsing "
    "organization(s) to protect transient data"
)


@dataclass(frozen=True, slots=True)
class ProtectedInterest:
    interest: Any  # peer.ChaincodeInterest restricted to the collections' member orgs
    collections: tuple[str, ...]  # the written-only collections it restricts


def protect_transient_data(interest: Any) -> ProtectedInterest:
    """A copy of ``interest`` whose written-only collections count as read."""
    restricted = proposal_response_pb2.ChaincodeInterest()
    restricted.CopyFrom(interest)
    collections: list[str] = []
    for call in restricted.chaincodes:
        if call.no_private_reads:
            call.no_private_reads = False
            collections.extend(call.collection_names)
    return ProtectedInterest(restricted, tuple(collections))


def outside_distribution_policy(collections: tuple[str, ...]) -> str:
    """Fabric's refusal, naming the collections as Go prints a ``[]string``."""
    return (
        "requires endorsement from organisation(s) that are not in the distribution policy of "
        f"the private data collection(s): [{' '.join(collections)}]; retry specifying trusted "
        "endorsing organizations to protect transient data"
    )
