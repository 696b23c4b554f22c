"""GridLedger's market portal: one per organisation, acting for each signed-in user with that
user's own Fabric identity, so the contract's access rules stay the only authority.

    from gridledger_portal import PortalSettings, create_app

    app = create_app(PortalSettings(home=Path(".devnet"), org="ProsumerMSP"))

``gridledger portal serve`` runs it with uvicorn; ``gridledger portal add-user`` binds an
account to one of the organisation's identities (docs/portal-api.md).
"""

from gridledger_portal.app import create_app
from gridledger_portal.settings import PortalSettings

__all__ = ["PortalSettings", "create_app"]
