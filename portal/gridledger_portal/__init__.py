"""GridLedger's market portal: one per organisation, acting for each signed-in user with that
user's own Fabric identity, so the contract's access rules stay the only authority.

    from gridledger_portal import PortalSettings, create_app

    app = create_app(PortalSettings(home=Path(".devnet"), org="ProsumerMSP"))

``gridledger portal serve`` runs it with uvicorn; ``gridledger portal add-user`` binds an
account to one of the organisation's identities (docs/portal-api.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gridledger_portal.app import create_app
    from gridledger_portal.settings import PortalSettings

__all__ = ["PortalSettings", "create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` and ``PortalSettings`` on first use: the ``gridledger`` command loads
    ``gridledger_portal.cli`` for every run and must not pay for the web stack."""
    if name == "create_app":
        from gridledger_portal.app import create_app

        return create_app
    if name == "PortalSettings":
        from gridledger_portal.settings import PortalSettings

        return PortalSettings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
