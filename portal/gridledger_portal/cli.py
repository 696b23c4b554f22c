"""``gridledger portal``: serve an organisation's portal, and bind accounts to its identities.

Plugged into the ``gridledger`` command through the ``gridledger.cli`` entry-point group; the
web stack (FastAPI, uvicorn) is imported only when ``serve`` runs.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import typer
from gridledger.cli.failures import OneLineErrors
from gridledger.errors import GridLedgerError

from gridledger_portal.settings import PortalSettings

app = typer.Typer(
    help="The market portal: an HTTP API for one organisation's users (docs/portal-api.md).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=OneLineErrors,
)

HomeOption = typer.Option(
    None,
    "--home",
    help="The network's home folder (its network.json; default $GRIDLEDGER_HOME or .devnet).",
)
OrgOption = typer.Option(..., "--org", help="The organisation (MSP id) the portal serves.")


class PortalCommandError(GridLedgerError):
    """The portal cannot start as asked (a port taken, a TLS file missing...)."""


def _settings(
    home: Path | None,
    org: str,
    host: str = "127.0.0.1",
    port: int = 8080,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
) -> PortalSettings:
    folder = home if home is not None else Path(os.environ.get("GRIDLEDGER_HOME", ".devnet"))
    return PortalSettings(
        home=folder.expanduser().resolve(),
        org=org,
        host=host,
        port=port,
        tls_cert=tls_cert,
        tls_key=tls_key,
    )


@app.command()
def serve(
    home: Path | None = HomeOption,
    org: str = OrgOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to listen on."),
    tls_cert: Path | None = typer.Option(None, "--tls-cert", help="TLS certificate (PEM)."),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="TLS private key (PEM)."),
) -> None:
    """Serve the portal's HTTP API (TLS with --tls-cert/--tls-key; else plain HTTP, meant for
    127.0.0.1 during development)."""
    if (tls_cert is None) != (tls_key is None):
        raise PortalCommandError("--tls-cert and --tls-key go together")
    for path in (tls_cert, tls_key):
        if path is not None and not path.is_file():
            raise PortalCommandError(f"no such file: {path}")
    settings = _settings(home, org, host=host, port=port, tls_cert=tls_cert, tls_key=tls_key)

    from gridledger_portal.ledger import load_profile

    load_profile(settings)  # a missing network or unknown organisation: one line, now
    _check_port(host, port)
    import uvicorn

    from gridledger_portal.app import create_app

    typer.echo(
        f"GridLedger portal of {org} on {settings.base_url} "
        f"(API {settings.base_url}/api/v1, OpenAPI {settings.base_url}/api/v1/openapi.json)",
        err=True,
    )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        log_level="warning",
        timeout_graceful_shutdown=2,
    )


@app.command("add-user")
def add_user(
    name: str = typer.Argument(..., help="The account's sign-in name."),
    identity: str = typer.Option(
        ..., "--identity", help="One of the organisation's Fabric identities (network.json)."
    ),
    home: Path | None = HomeOption,
    org: str = OrgOption,
) -> None:
    """Bind a portal account to one of the organisation's Fabric identities; prints its
    one-time password (shown only now)."""
    from gridledger_portal.accounts import Accounts
    from gridledger_portal.ledger import organisation_identities

    settings = _settings(home, org)
    known = organisation_identities(settings)
    if identity not in known:
        raise PortalCommandError(
            f"{org} has no identity {identity!r} in {settings.profile_path} "
            f"(known: {', '.join(known) or 'none'})"
        )
    accounts = Accounts(settings.database)
    try:
        password = accounts.add_user(name, identity)
    finally:
        accounts.close()
    typer.echo(f"user {name} ({org}/{identity}) one-time password: {password}")


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortalCommandError(
                f"cannot listen on {host}:{port}: {error.strerror or error}"
            ) from None
