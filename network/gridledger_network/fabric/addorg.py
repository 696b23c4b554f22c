"""A new organisation joins a running channel: ``gridledger network fabric add-org NAME``.

The steps, each skipped when a re-run finds it done (``done/addorg-<msp>-*``, or the channel's
configuration already naming the organisation):

1. ``fabric.yaml`` with the new organisation (validated: unique name and listeners) in memory;
   its crypto material (CA, TLS CA, Admin, User1, the given users, peer0/peer1 with TLS naming
   their host name and address) and, with ``netns``, its own namespace on the bridge.
2. The channel configuration update, made by Fabric's tools only: the current configuration
   block (``peer channel fetch config``), decoded with ``configtxlator proto_decode``; the new
   organisation's group from ``configtxgen -printOrg`` (anchor peers added); both encoded with
   ``configtxlator proto_encode``; the difference from ``configtxlator compute_update``, wrapped in
   an envelope. The channel's Application group needs ``MAJORITY Admins``: every existing
   organisation's Admin signs (``peer channel signconfigtx``), the last one submits
   (``peer channel update``, which adds its own signature).
3. ``fabric.yaml`` written; the new peers started (in their namespace) and joined from the
   genesis block (they pull every block since from the orderers: history is not rewritten).
4. The chaincode definition: the package (the same package id, so the running chaincode server
   serves the new peers) installed on the new peers; a new sequence, whose endorsement policy and
   collections include the new member (and its meter-data collection ``mdata_<MSP>``, derived
   from the organisations like every other), approved by every organisation and committed.
5. ``network.json`` written again, with the new organisation's endpoints and users; returns when
   its gateway commits a submit.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from gridledger_domain.collections import meter_data_collection_name
from gridledger_domain.errors import GridLedgerError

from gridledger_network.devnet.config import default_endorsement_policy
from gridledger_network.fabric import netns
from gridledger_network.fabric.admin import AdminCommandError, run_until_ok
from gridledger_network.fabric.binaries import FabricBinaries, find_binaries
from gridledger_network.fabric.config import (
    CONFIG_FILE,
    FabricConfig,
    fabric_config_to_dict,
    load_fabric_config,
    parse_fabric_config,
    write_fabric_config,
)
from gridledger_network.fabric.configtx import _peer_org
from gridledger_network.fabric.crypto import FabricCrypto, ensure_fabric_crypto
from gridledger_network.fabric.lifecycle import committed_sequence
from gridledger_network.fabric.network import _Bringup, resolve_home
from gridledger_network.fabric.readiness import wait_until_submits_commit
from gridledger_network.home import NETWORK_FILE

log = logging.getLogger(__name__)

MSP_ID = re.compile(r"^[A-Z][A-Za-z0-9]{0,30}MSP$")
USER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
DEFAULT_PEERS = 2
CONFIG_UPDATE_TYPE = 2  # common.HeaderType CONFIG_UPDATE


class AddOrgError(GridLedgerError):
    """The organisation cannot be added as asked; the message says why."""


@dataclass
class AddedOrg:
    """What ``add_org`` did: the organisation, the chaincode sequences, the seconds per step."""

    msp_id: str
    sequences: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)


def _validate(config: FabricConfig, msp_id: str, users: Sequence[str], peers: int) -> None:
    if not MSP_ID.match(msp_id):
        raise AddOrgError(
            f"organisation name {msp_id!r}: letters and digits, a capital first, ending in MSP "
            "(e.g. CommunityMSP)"
        )
    taken = [m.lower() for m in config.network.org_msp_ids]
    if msp_id.lower() in taken:
        raise AddOrgError(f"{msp_id} is already an organisation of the channel")
    for user in users:
        if not USER_NAME.match(user):
            raise AddOrgError(f"user name {user!r}: lower-case letters, digits and '-'")
    existing = {u.name for u in config.network.users}
    clash = sorted(set(users) & existing)
    if clash or len(set(users)) != len(users):
        raise AddOrgError(f"user names must be new and distinct; taken or repeated: {clash}")
    if not 1 <= peers <= 4:
        raise AddOrgError(f"peers must be 1 to 4, got {peers}")


def _with_collection_member(collection: dict[str, Any], old: list[str], msp_id: str) -> None:
    """A collection every organisation was a member of takes the new one too; a collection of
    some organisations only (a private one) stays theirs."""
    if sorted(collection["members"]) == sorted(old):
        collection["members"] = [*collection["members"], msp_id]


def config_with_org(
    config: FabricConfig,
    msp_id: str,
    users: Sequence[str] = (),
    *,
    peers: int = DEFAULT_PEERS,
    policy: str | None = None,
) -> FabricConfig:
    """``config`` with organisation ``msp_id`` (``peers`` peers, ``users``) added: with
    namespaces on the first organisation's ports at the next organisation address, else on new
    ports; chaincodes whose policy was the default get the default over every organisation (or
    ``policy``). Raises ``AddOrgError`` or ``ConfigError`` (a listener clash)."""
    _validate(config, msp_id, users, peers)
    document = fabric_config_to_dict(config)
    old = config.network.org_msp_ids
    first = config.peer_ports[old[0]]
    entry: dict[str, Any] = {"peers": peers}
    if config.netns is not None:
        entry.update(
            port=first.port,
            chaincode_port=first.chaincode_port,
            operations_port=first.operations_port,
        )
    else:
        used = set(config.all_ports())
        base = max(p.port for p in config.peer_ports.values()) + 1000
        while {base, base + 1} & used:
            base += 1000
        operations = max(p.operations_port for p in config.peer_ports.values()) + 1
        while any(operations + 10 * i in used for i in range(peers)):
            operations += 1
        entry.update(port=base, chaincode_port=base + 1, operations_port=operations)
    document["peers"][msp_id] = entry
    document["users"] = [
        *document.get("users", []),
        *({"org": msp_id, "name": name, "ou": "client"} for name in users),
    ]
    for chaincode in document["chaincodes"]:
        if policy is not None:
            chaincode["policy"] = policy
        elif chaincode.get("policy") == default_endorsement_policy(old):
            chaincode["policy"] = default_endorsement_policy([*old, msp_id])
        for collection in chaincode.get("collections") or []:
            _with_collection_member(collection, old, msp_id)
    return parse_fabric_config(document, source=f"{CONFIG_FILE} with {msp_id}")


@dataclass
class _OrgAdder:
    """One ``add_org`` run: ``old`` the channel's organisations before, ``new`` with ``msp_id``."""

    home: Path
    old: FabricConfig
    new: FabricConfig
    msp_id: str
    binaries: FabricBinaries
    crypto: FabricCrypto | None = None

    def __post_init__(self) -> None:
        self.work = self.home / "channel" / f"add-{self.msp_id.lower()}"
        self.bringup = _Bringup(self.home, self.new, self.binaries)

    @property
    def _crypto(self) -> FabricCrypto:
        assert self.crypto is not None
        return self.crypto

    def _step(self, name: str) -> str:
        return f"addorg-{self.msp_id.lower()}-{name}"

    def _tool(self, name: str) -> str:
        path = self.binaries.tool(name)
        if not Path(path).exists():
            raise AddOrgError(f"Fabric's {name} is not next to peer in {self.binaries.bin_dir}")
        return path

    def _run(self, argv: list[str], what: str) -> str:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            raise AdminCommandError(f"{what} failed: {' '.join(argv)}\n{done.stderr[-2000:]}")
        return done.stdout

    def _orderer_options(self) -> list[str]:
        return [
            "-o",
            self.bringup._orderer_address(),
            "--tls",
            "--cafile",
            str(self._crypto.orderer_tlsca),
        ]

    # -- 1. material ----------------------------------------------------------------------
    def prepare(self) -> None:
        self.crypto = ensure_fabric_crypto(self.home / "crypto", self.new)
        self.bringup.crypto = self.crypto
        self.work.mkdir(parents=True, exist_ok=True)
        netns.create(self.home, self.new)

    # -- 2. channel configuration ---------------------------------------------------------
    def _decode(self, path: Path, kind: str) -> Any:
        out = self.work / f"{path.stem}.json"
        argv = [self._tool("configtxlator"), "proto_decode", "--input", str(path)]
        self._run(
            [*argv, "--type", kind, "--output", str(out)], f"configtxlator decode {path.name}"
        )
        return json.loads(out.read_text(encoding="utf-8"))

    def _encode(self, document: Any, name: str, kind: str) -> Path:
        source = self.work / f"{name}.json"
        source.write_text(json.dumps(document), encoding="utf-8")
        out = self.work / f"{name}.pb"
        argv = [self._tool("configtxlator"), "proto_encode", "--input", str(source)]
        self._run([*argv, "--type", kind, "--output", str(out)], f"configtxlator encode {name}")
        return out

    def current_config(self) -> Any:
        """The channel's configuration now (``peer channel fetch config``), as JSON."""
        block = self.work / "config_block.pb"
        first = self.old.network.org_msp_ids[0]
        argv = [self.binaries.peer, "channel", "fetch", "config", str(block)]
        argv += ["-c", self.new.channel, *self._orderer_options()]
        run_until_ok(argv, self.bringup._peer_env(first), what="peer channel fetch config")
        decoded = self._decode(block, "common.Block")
        return decoded["data"]["data"][0]["payload"]["data"]["config"]

    def org_group(self) -> Any:
        """The organisation's channel group, from ``configtxgen -printOrg`` (anchor peers added:
        printOrg leaves them out)."""
        organization = _peer_org(self.new, self._crypto, self.msp_id)
        folder = self.work / "printorg"
        folder.mkdir(exist_ok=True)
        document = {"Organizations": [organization]}
        (folder / "configtx.yaml").write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
        argv = [self.binaries.configtxgen, "-configPath", str(folder), "-printOrg", self.msp_id]
        group: dict[str, Any] = json.loads(self._run(argv, "configtxgen -printOrg"))
        anchors = [{"host": a["Host"], "port": a["Port"]} for a in organization["AnchorPeers"]]
        group["values"].setdefault(
            "AnchorPeers",
            {"mod_policy": "Admins", "value": {"anchor_peers": anchors}, "version": "0"},
        )
        return group

    def update_channel(self) -> bool:
        """Sign and submit the update adding the organisation; False if the channel has it."""
        original = self.current_config()
        application = original["channel_group"]["groups"]["Application"]["groups"]
        if self.msp_id in application:
            return False
        updated = json.loads(json.dumps(original))
        updated["channel_group"]["groups"]["Application"]["groups"][self.msp_id] = self.org_group()
        original_pb = self._encode(original, "original_config", "common.Config")
        updated_pb = self._encode(updated, "updated_config", "common.Config")
        update_pb = self.work / "config_update.pb"
        argv = [self._tool("configtxlator"), "compute_update", "--channel_id", self.new.channel]
        argv += ["--original", str(original_pb), "--updated", str(updated_pb)]
        self._run([*argv, "--output", str(update_pb)], "configtxlator compute_update")
        update = self._decode(update_pb, "common.ConfigUpdate")
        envelope = {
            "payload": {
                "header": {
                    "channel_header": {"channel_id": self.new.channel, "type": CONFIG_UPDATE_TYPE}
                },
                "data": {"config_update": update},
            }
        }
        envelope_pb = self._encode(envelope, "config_update_envelope", "common.Envelope")
        *signers, submitter = self.old.network.org_msp_ids
        for msp_id in signers:  # MAJORITY Admins: every existing organisation signs
            argv = [self.binaries.peer, "channel", "signconfigtx", "-f", str(envelope_pb)]
            run_until_ok(argv, self.bringup._peer_env(msp_id), what=f"signconfigtx as {msp_id}")
        argv = [self.binaries.peer, "channel", "update", "-f", str(envelope_pb)]
        argv += ["-c", self.new.channel, *self._orderer_options()]
        run_until_ok(argv, self.bringup._peer_env(submitter), what="peer channel update")
        return True

    # -- 3. the new peers --------------------------------------------------------------------
    def start_peers(self) -> None:
        write_fabric_config(self.home / CONFIG_FILE, self.new)
        for index in self.new.peer_indices(self.msp_id):
            self.bringup.start_peer(self.msp_id, index)
        self.bringup.join_peers(self.home / "channel" / f"{self.new.channel}.block")

    # -- 4. chaincode definitions ------------------------------------------------------------
    def committed_sequence(self, chaincode: str) -> int:
        env = self.bringup._peer_env(self.old.network.org_msp_ids[0])
        return committed_sequence(self.binaries.peer, env, self.new.channel, chaincode)

    def redefine_chaincodes(self) -> dict[str, int]:
        bringup = self.bringup
        bringup.write_packages()  # the existing packages: their ids are what the peers run
        new_peers = [(self.msp_id, i) for i in self.new.peer_indices(self.msp_id)]
        sequences: dict[str, int] = {}
        for chaincode in self.new.network.chaincodes:
            bringup.install_chaincode(chaincode, new_peers)
            marker = self.home / "done" / self._step(f"{chaincode.name}-sequence")
            if marker.exists():
                sequence = int(marker.read_text(encoding="utf-8"))
            else:
                sequence = self.committed_sequence(chaincode.name) + 1
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.write_text(str(sequence), encoding="utf-8")
            sequences[chaincode.name] = sequence
            bringup.define_chaincode(chaincode, sequence)
            bringup._mark(f"{chaincode.name}-approved-{self.msp_id}")  # `up` need not redo seq 1
        return sequences


def add_org(
    home: Path | str | None,
    msp_id: str,
    users: Sequence[str] = (),
    *,
    peers: int = DEFAULT_PEERS,
    policy: str | None = None,
    ready_timeout: float = 180.0,
    binaries: FabricBinaries | None = None,
) -> AddedOrg:
    """Add organisation ``msp_id`` (with ``users``) to the running network at ``home``.

    Raises ``AddOrgError`` (bad name, taken, network not running), ``ConfigError``,
    ``AdminCommandError``, ``NodeStartError``, ``NetnsError``, ``NotReady``.
    """
    path = resolve_home(home)
    if not (path / NETWORK_FILE).exists():
        raise AddOrgError(
            f"no running fabric network in {path}: run `gridledger network fabric up`"
        )
    binaries = binaries or find_binaries()
    old = load_fabric_config(path)
    done = path / "done" / f"addorg-{msp_id.lower()}"
    resuming = (
        msp_id in old.network.org_msp_ids and not done.with_name(done.name + "-ready").exists()
    )
    if resuming and done.with_name(done.name + "-started").exists():
        # a re-run after an add-org cut short once fabric.yaml named the organisation
        new = old
        old = _without_org(old, msp_id)
    else:
        new = config_with_org(old, msp_id, users, peers=peers, policy=policy)
    adder = _OrgAdder(path, old, new, msp_id, binaries)
    timings: dict[str, float] = {}
    started = time.monotonic()

    def lap(name: str) -> None:
        timings[name] = round(time.monotonic() - started, 2)

    adder.bringup._mark(adder._step("started"))
    adder.prepare()
    lap("material")
    adder.update_channel()
    lap("channel_update")
    adder.start_peers()
    lap("peers")
    sequences = adder.redefine_chaincodes()
    lap("chaincode_definition")
    network_json = adder.bringup.write_network_json()
    probe = [
        c.name for c in new.network.chaincodes if new.chaincode_servers.get(c.name) == "python"
    ]
    for chaincode in probe[:1]:
        wait_until_submits_commit(network_json, [msp_id], new.channel, chaincode, ready_timeout)
    adder.bringup._mark(adder._step("ready"))
    lap("ready")
    shutil.rmtree(adder.work / "printorg", ignore_errors=True)
    return AddedOrg(msp_id, sequences, timings)


def _without_org(config: FabricConfig, msp_id: str) -> FabricConfig:
    """``config`` as it was before ``msp_id`` was added (for resuming: who signs, who approves)."""
    network = config.network
    peers = tuple(p for p in network.peers if p.msp_id != msp_id)
    chaincodes = tuple(
        replace(
            c,
            collections=tuple(
                replace(k, members=tuple(m for m in k.members if m != msp_id))
                for k in c.collections
                if not (c.meter_data and k.name == meter_data_collection_name(msp_id))
            ),
        )
        for c in network.chaincodes
    )
    return replace(
        config,
        network=replace(network, peers=peers, chaincodes=chaincodes),
        peer_ports={m: p for m, p in config.peer_ports.items() if m != msp_id},
    )


__all__ = ["AddOrgError", "AddedOrg", "add_org", "config_with_org"]
