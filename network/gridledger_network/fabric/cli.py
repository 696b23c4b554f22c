"""``gridledger network fabric up|down|status``: real Fabric as native processes, one folder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from gridledger.cli.failures import OneLineErrors

from gridledger_network.fabric.network import down as fabric_down
from gridledger_network.fabric.network import resolve_home
from gridledger_network.fabric.network import status as fabric_status
from gridledger_network.fabric.network import stop as fabric_stop
from gridledger_network.fabric.network import up as fabric_up

app = typer.Typer(
    help="Run real Hyperledger Fabric v3 (orderers, two peers, CCaaS chaincode).",
    cls=OneLineErrors,
)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar="GRIDLEDGER_FABRIC_HOME",
        help="network folder (default ./.fabric)",
        show_default=False,
    ),
]


@app.command()
def up(
    home: HomeOption = None,
    orderers: Annotated[
        int | None,
        typer.Option(
            envvar="ORDERERS", help="1, 3 or 5 Raft orderers, 4 BFT (when fabric.yaml is new)"
        ),
    ] = None,
    consensus: Annotated[
        str, typer.Option(help="raft or bft (SmartBFT) ordering (when fabric.yaml is new)")
    ] = "raft",
    use_netns: Annotated[
        bool,
        typer.Option(
            "--netns",
            help="a network namespace per organisation and orderer (root; new fabric.yaml)",
        ),
    ] = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait for every gateway")] = 120.0,
) -> None:
    """Bring the network up; nothing happens if it already runs."""
    started = time.monotonic()
    network = fabric_up(
        home, orderers=orderers, use_netns=use_netns, consensus=consensus, ready_timeout=timeout
    )
    if network.already_running:
        typer.echo(f"fabric network already running, home {network.home}")
    else:
        typer.echo(f"fabric network up in {time.monotonic() - started:.1f}s, home {network.home}")
        laps = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in network.timings.items())
        typer.echo(f"  done at: {laps}")
    for msp_id, org in network.profile["organizations"].items():
        typer.echo(f"  {msp_id}: {org['peer_endpoint']}")
    for orderer in network.profile["orderers"]:
        typer.echo(f"  orderer {orderer['endpoint']} (admin {orderer['admin_endpoint']})")
    typer.echo(f"  connection profile: {network.network_json}")


@app.command()
def down(
    home: HomeOption = None,
    keep_state: Annotated[
        bool, typer.Option("--keep-state", help="stop the processes but keep ledgers and crypto")
    ] = False,
) -> None:
    """Stop every process of the network and remove its state (fabric.yaml is kept)."""
    path = resolve_home(home)
    stopped = fabric_stop(path) if keep_state else fabric_down(path)
    typer.echo(f"stopped {', '.join(stopped)}" if stopped else "nothing was running")
    if not keep_state:
        typer.echo(f"state removed from {path}")


@app.command()
def status(home: HomeOption = None) -> None:
    """Say which of the network's processes run."""
    current = fabric_status(home)
    if not current.processes:
        typer.echo(f"no fabric network in {current.home}")
        raise typer.Exit(1)
    for name, pid in current.processes.items():
        typer.echo(f"  {name}: {'running, pid ' + str(pid) if pid else 'stopped'}")
    if not current.running:
        raise typer.Exit(1)


@app.command("add-org")
def add_org(
    name: Annotated[str, typer.Argument(help="the new organisation's MSP id, e.g. CommunityMSP")],
    home: HomeOption = None,
    user: Annotated[
        list[str] | None, typer.Option("--user", help="a user of the new organisation (repeat)")
    ] = None,
    peers: Annotated[int, typer.Option(help="peers of the new organisation")] = 2,
    policy: Annotated[
        str | None,
        typer.Option(help="the chaincodes' endorsement policy (default: the default over all)"),
    ] = None,
    timeout: Annotated[float, typer.Option(help="seconds to wait for its gateway")] = 180.0,
) -> None:
    """Add an organisation to the running network's channel (its peers, users, chaincode)."""
    from gridledger_network.fabric.addorg import add_org as fabric_add_org

    added = fabric_add_org(
        home, name, user or [], peers=peers, policy=policy, ready_timeout=timeout
    )
    laps = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in added.timings.items())
    sequences = ", ".join(f"{c} sequence {s}" for c, s in added.sequences.items())
    typer.echo(f"{added.msp_id} joined the channel ({sequences}); done at: {laps}")


@app.command()
def bundle(
    host: Annotated[
        str, typer.Argument(help="an organisation (MSP id), an orderer (orderer0..) or an address")
    ],
    home: HomeOption = None,
    out: Annotated[
        Path | None, typer.Option(help="folder to write (default ./bundle-HOST)")
    ] = None,
) -> None:
    """Write what an operator copies to one host: its crypto, configuration, start script."""
    from gridledger_network.fabric.bundle import write_bundle

    written = write_bundle(home, host, out or Path(f"bundle-{host}"))
    typer.echo(f"bundle of {host} ({', '.join(written.nodes)}) in {written.folder}")
    typer.echo(f"  copy it to the host and run {written.folder.name}/start.sh")
