"""``gridledger network fabric bundle HOST`` for RetailerMSP's host of a 3-organisation network in
namespaces: the bundle holds its peers' and Admin's keys and no other organisation's private key
(nor any CA key); its connection profile lists every organisation's endpoints; its start script,
run inside RetailerMSP's namespace in place of the stopped peer1, starts that peer from the
bundle alone, which joins the channel from the bundle's genesis block and catches up.

Needs Fabric's binaries and root (skipped otherwise); its own subnet and namespace prefix.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from gridledger_network.fabric import netns
from gridledger_network.fabric.admin import peer_admin_env, run_until_ok
from gridledger_network.fabric.binaries import find_binaries
from gridledger_network.fabric.bundle import BundleError, write_bundle
from gridledger_network.fabric.cli import app
from gridledger_network.fabric.crypto import ensure_fabric_crypto
from gridledger_network.fabric.network import _Bringup
from gridledger_network.fabric.nodes import stop_node
from gridledger_network.processes import (
    RunFolder,
    free_ports,
    start_process,
    stop_process,
    wait_listening,
)
from harness.devnet import OPERATOR, RETAILER, THREE_ORGS
from typer.testing import CliRunner

from fabric.test_hosts import BRINGUP_TIMEOUT, hosts_config, network_in_namespaces
from fabric.test_partition import _chain_info

pytestmark = pytest.mark.fabric

SUBNET = "10.77.4.0/24"
PREFIX = "glu"
NODE = f"peer1-{RETAILER.lower()}"
RETAIL_DOMAIN = "retailer.gridledger.local"
CATCH_UP_SECONDS = 120.0


def _private_keys(folder: Path) -> list[Path]:
    return [
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file() and b"PRIVATE KEY" in p.read_bytes()
    ]


@pytest.mark.timeout(BRINGUP_TIMEOUT)
def test_a_hosts_bundle_holds_its_keys_only_and_starts_its_node(tmp_path: Path) -> None:
    home = tmp_path / "net"
    home.mkdir()
    config = hosts_config(free_ports(1)[0], orderers=1, prefix=PREFIX, subnet=SUBNET)
    with network_in_namespaces(home, config):
        with pytest.raises(BundleError, match="no host"):
            write_bundle(home, "NobodyMSP", tmp_path / "nobody")
        started = time.monotonic()
        argv = ["bundle", RETAILER, "--home", str(home), "--out", str(tmp_path / "bundle")]
        result = CliRunner().invoke(app, argv)
        print(f"\nbundle of {RETAILER}: {time.monotonic() - started:.2f}s: {result.output}")
        assert result.exit_code == 0, result.output
        assert f"bundle of {RETAILER} (peer0-{RETAILER.lower()}, {NODE})" in result.output
        folder = tmp_path / "bundle"
        profile = json.loads((folder / "network.json").read_text(encoding="utf-8"))
        assert sorted(p.name for p in (folder / "nodes").iterdir()) == [
            f"peer0-{RETAILER.lower()}",
            NODE,
        ]
        keys = _private_keys(folder)
        org = Path("crypto/peerOrganizations") / RETAIL_DOMAIN
        for wanted in (
            org / "peers" / f"peer0.{RETAIL_DOMAIN}" / "msp" / "keystore" / "priv_sk",
            org / "peers" / f"peer1.{RETAIL_DOMAIN}" / "tls" / "server.key",
            org / "users" / f"Admin@{RETAIL_DOMAIN}" / "msp" / "keystore" / "priv_sk",
        ):
            assert wanted in keys
        assert all(k.is_relative_to(org) for k in keys), keys
        assert not [k for k in keys if k.parts[3] in ("ca", "tlsca")]
        # the configuration names the bundle, not this machine's home
        for name in (f"peer0-{RETAILER.lower()}", NODE):
            text = (folder / "nodes" / name / "core.yaml.in").read_text(encoding="utf-8")
            assert str(home) not in text and "__BUNDLE__/crypto/" in text
        assert sorted(profile["organizations"]) == sorted(THREE_ORGS)
        for msp_id, entry in profile["organizations"].items():
            assert len(entry["peer_endpoints"]) == 2
            assert (folder / entry["tls_ca_cert"]).is_file()
            assert bool(entry["users"]) == (msp_id == RETAILER)

        bringup = _Bringup(home, config, find_binaries())
        bringup.crypto = ensure_fabric_crypto(home / "crypto", config)
        assert stop_node(home, NODE)
        run = RunFolder(tmp_path / "operator")
        layout = netns.plan(config)
        assert layout is not None
        namespace = layout.hosts[netns.org_host_key(THREE_ORGS.index(RETAILER))].namespace
        argv = netns.in_namespace(namespace, ["sh", str(folder / "start.sh"), NODE])
        env = {"PATH": "/usr/bin:/bin", "FABRIC_BIN": str(bringup.binaries.bin_dir)}
        try:
            started = time.monotonic()
            start_process(run, NODE, argv, env)
            address = config.peer_address(RETAILER)
            wait_listening(run, NODE, [config.node_ports(RETAILER, 1).port], 60, address)
            # a fresh ledger: join from the bundle's genesis block, as an operator would
            admin = peer_admin_env(
                folder / "nodes" / NODE,
                RETAILER,
                folder / org / "users" / f"Admin@{RETAIL_DOMAIN}" / "msp",
                f"{address}:{config.node_ports(RETAILER, 1).port}",
                folder / org / "peers" / f"peer1.{RETAIL_DOMAIN}" / "tls" / "ca.crt",
            )
            block = folder / "channel" / f"{config.channel}.block"
            run_until_ok(
                [bringup.binaries.peer, "channel", "join", "-b", str(block)],
                admin,
                what="join from the bundle",
            )
            deadline = time.monotonic() + CATCH_UP_SECONDS
            while True:
                utility = _chain_info(bringup, OPERATOR, 0)
                mine = _chain_info(bringup, RETAILER, 1)
                if utility is not None and mine == utility:
                    break
                assert time.monotonic() < deadline, f"not caught up: {mine} vs {utility}"
                time.sleep(0.5)
            print(
                f"{NODE} from the bundle: started, joined and at height {utility[0]} in "
                f"{time.monotonic() - started:.1f}s"
            )
        finally:
            stop_process(run, NODE)
