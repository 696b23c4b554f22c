"""Registered display names for the CLI's tables and bills, instead of certificate CNs."""

from __future__ import annotations

from gridledger.energy import AccessDenied, EnergyClient, NotFound


def display_names(client: EnergyClient) -> dict[str, str]:
    """Participant id -> registered display name: every participant when the caller may list
    them (the utility, auditors), else the caller's own (if registered); tables fall back to
    the certificate's CN for the others."""
    try:
        return {p.participant_id: p.display_name for p in client.participants()}
    except AccessDenied:
        pass
    try:
        me = client.participant()
    except (AccessDenied, NotFound):
        return {}
    return {me.participant_id: me.display_name}
