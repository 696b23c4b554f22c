"""The devnet's configuration file ``devnet.yaml`` (format in docs/devnet.md) as dataclasses.

``load_config(home)`` reads ``home/devnet.yaml``, writing the defaults first if the file is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from gridledger_domain.collections import (
    METER_DATA_PREFIX,
    is_meter_data_collection,
    meter_data_collection_name,
    meter_data_members,
)
from gridledger_domain.errors import GridLedgerError
from gridledger_domain.refusals import InvalidRequest

from gridledger_network.devnet.policy.parser import PolicyParseError, parse_policy

CONFIG_FILE = "devnet.yaml"
BASE_DOMAIN = "gridledger.local"
ORDERER_MSP_ID = "OrdererMSP"
ORDERER_DOMAIN = f"orderer.{BASE_DOMAIN}"
NODE_OUS = ("client", "peer", "admin", "orderer")


class ConfigError(GridLedgerError, ValueError):
    """devnet.yaml is malformed; the message names the offending entry."""


@dataclass(frozen=True, slots=True)
class PeerConfig:
    msp_id: str
    port: int

    @property
    def domain(self) -> str:
        return org_domain(self.msp_id)

    @property
    def host(self) -> str:
        return f"peer0.{self.domain}"


@dataclass(frozen=True, slots=True)
class BatchConfig:
    max_message_count: int = 500
    batch_timeout_ms: int = 100
    preferred_max_bytes: int = 2 * 1024 * 1024
    absolute_max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class UserConfig:
    org: str
    name: str
    ou: str = "client"
    attrs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CollectionConfig:
    name: str
    members: tuple[str, ...]
    block_to_live: int = 0  # 0: kept forever
    endorsement_policy: str = ""  # a signature policy for writes to it; "": the chaincode's
    member_only_read: bool = False  # only members' clients may read it (Fabric memberOnlyRead)
    member_only_write: bool = False  # only members' clients may write it (memberOnlyWrite)
    required_peer_count: int = 0  # peers an endorser must disseminate to before answering
    max_peer_count: int = 1  # peers an endorser tries to disseminate to


@dataclass(frozen=True, slots=True)
class ChaincodeConfig:
    name: str
    address: str
    tls: bool = True
    policy: str = ""
    collections: tuple[CollectionConfig, ...] = ()
    version: str = "1.0"
    server: str = "external"  # "python": `gridledger network up` also serves our chaincode
    # the collections derived from the organisations (meter_data_collections), listed in
    # `collections` too; not written back to the file
    meter_data: bool = True

    def collection(self, name: str) -> CollectionConfig | None:
        return next((c for c in self.collections if c.name == name), None)


@dataclass(frozen=True, slots=True)
class DevnetConfig:
    channel: str
    peers: tuple[PeerConfig, ...]
    batch: BatchConfig = BatchConfig()
    users: tuple[UserConfig, ...] = ()
    chaincodes: tuple[ChaincodeConfig, ...] = ()

    @property
    def org_msp_ids(self) -> list[str]:
        return [p.msp_id for p in self.peers]

    def peer(self, msp_id: str) -> PeerConfig:
        for p in self.peers:
            if p.msp_id == msp_id:
                return p
        raise KeyError(msp_id)

    def chaincode(self, name: str) -> ChaincodeConfig | None:
        return next((c for c in self.chaincodes if c.name == name), None)


COLLECTION_SETTINGS = (
    "member_only_read",
    "member_only_write",
    "required_peer_count",
    "max_peer_count",
)


def meter_data_collections(
    msp_ids: Sequence[str], peer_counts: Mapping[str, int] | None = None
) -> list[CollectionConfig]:
    """The meter-data collections of a network whose organisations are ``msp_ids``, the first
    being the utility's (docs/private-data.md): ``mdata_<MSP>`` for every other organisation
    (members the utility and ``<MSP>``, both peers endorsing), and ``mdata_<utility>`` for the
    utility's own households (the utility and the second organisation, both endorsing: the
    transactions holding those households' data write public keys too, which the chaincode's
    policy lets the utility's organisation not endorse alone; the utility alone in a network
    of one organisation). Member-only reads and writes, kept until
    purged, disseminated to all the members' peers (``peer_counts``: 1 each when not given)
    without waiting for any."""
    if not msp_ids:
        return []
    utility, *others = msp_ids
    counts = peer_counts or {}

    def collection(msp_id: str) -> CollectionConfig:
        try:
            members = meter_data_members(msp_id, utility, partner=next(iter(others), None))
        except InvalidRequest as exc:
            raise ConfigError(f"meter-data collection of {msp_id!r}: {exc}") from None
        policy = "AND(" + ",".join(f"'{m}.peer'" for m in members) + ")"
        if len(members) == 1:
            policy = f"OR('{utility}.peer')"
        return CollectionConfig(
            name=meter_data_collection_name(msp_id),
            members=members,
            block_to_live=0,
            endorsement_policy=policy,
            member_only_read=True,
            member_only_write=True,
            required_peer_count=0,
            max_peer_count=sum(counts.get(m, 1) for m in members),
        )

    return [collection(utility), *(collection(msp) for msp in others)]


def with_peer_counts(config: DevnetConfig, peer_counts: Mapping[str, int]) -> DevnetConfig:
    """``config`` with its meter-data collections derived again for organisations with
    ``peer_counts`` peers each (fabric.yaml), so they disseminate to all the members' peers."""
    derived = meter_data_collections(config.org_msp_ids, peer_counts)
    chaincodes = tuple(
        replace(
            c,
            collections=tuple(k for k in c.collections if not is_meter_data_collection(k.name))
            + tuple(derived),
        )
        if c.meter_data
        else c
        for c in config.chaincodes
    )
    return replace(config, chaincodes=chaincodes)


def org_domain(msp_id: str) -> str:
    """``GridOperatorMSP`` -> ``gridoperator.gridledger.local``."""
    base = msp_id[:-3] if msp_id.endswith("MSP") else msp_id
    return f"{base.lower()}.{BASE_DOMAIN}"


# The energy market's people (demo and integration tests): name -> organisation. The utility
# registers them on the ledger with a role; these are only their certificates.
MARKET_USERS = {
    "auditor": "GridOperatorMSP",
    "city-solar": "GridOperatorMSP",
    "dave": "GridOperatorMSP",
    "solar-farm": "ProsumerMSP",
    "wind-farm": "ProsumerMSP",
    "alice": "ProsumerMSP",
    "bob": "ProsumerMSP",
    "carol": "ProsumerMSP",
}


def market_users() -> tuple[UserConfig, ...]:
    return tuple(UserConfig(org, name) for name, org in MARKET_USERS.items())


def default_config() -> DevnetConfig:
    both = "AND('GridOperatorMSP.peer','ProsumerMSP.peer')"
    return DevnetConfig(
        channel="energy",
        peers=(PeerConfig("GridOperatorMSP", 7051), PeerConfig("ProsumerMSP", 9051)),
        batch=BatchConfig(),
        users=(
            UserConfig("GridOperatorMSP", "utility", "client", {"gridledger.role": "utility"}),
            *market_users(),
        ),
        chaincodes=(
            ChaincodeConfig(
                name="gridledger",
                address="127.0.0.1:9999",
                tls=True,
                policy=both,
                collections=(
                    CollectionConfig("operatorPrivate", ("GridOperatorMSP",), 0),
                    *meter_data_collections(["GridOperatorMSP", "ProsumerMSP"]),
                ),
                server="python",
            ),
        ),
    )


def load_config(home: Path) -> DevnetConfig:
    """Read ``home/devnet.yaml``; write the defaults there first if it does not exist."""
    path = home / CONFIG_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        write_config(path, default_config())
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return parse_config(raw, source=str(path))


def write_config(path: Path, config: DevnetConfig) -> None:
    path.write_text(yaml.safe_dump(config_to_dict(config), sort_keys=False), encoding="utf-8")


def config_to_dict(config: DevnetConfig) -> dict[str, Any]:
    return {
        "channel": config.channel,
        "peers": {p.msp_id: {"port": p.port} for p in config.peers},
        "batch": {
            "max_message_count": config.batch.max_message_count,
            "batch_timeout_ms": config.batch.batch_timeout_ms,
            "preferred_max_bytes": config.batch.preferred_max_bytes,
        },
        "users": [
            {"org": u.org, "name": u.name, "ou": u.ou, "attrs": dict(u.attrs)} for u in config.users
        ],
        "chaincodes": [
            {
                "name": c.name,
                "address": c.address,
                "tls": c.tls,
                "policy": c.policy,
                "collections": [
                    collection_to_dict(k)
                    for k in c.collections
                    if not (c.meter_data and is_meter_data_collection(k.name))
                ],
                **({} if c.meter_data else {"meter_data_collections": False}),
                "server": c.server,
            }
            for c in config.chaincodes
        ],
    }


def collection_to_dict(collection: CollectionConfig) -> dict[str, Any]:
    """One collection as devnet.yaml lists it (settings at their defaults left out)."""
    k = collection
    defaults = CollectionConfig(k.name, k.members)
    return {
        "name": k.name,
        "members": list(k.members),
        "block_to_live": k.block_to_live,
        **({"endorsement_policy": k.endorsement_policy} if k.endorsement_policy else {}),
        **{
            name: getattr(k, name)
            for name in COLLECTION_SETTINGS
            if getattr(k, name) != getattr(defaults, name)
        },
    }


def parse_config(raw: object, source: str = CONFIG_FILE) -> DevnetConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    channel = raw.get("channel", "energy")
    if not isinstance(channel, str) or not channel:
        raise ConfigError(f"{source}: 'channel' must be a non-empty string")
    peers = _parse_peers(raw.get("peers"), source)
    msp_ids = [p.msp_id for p in peers]
    batch = _parse_batch(raw.get("batch") or {}, source)
    users = tuple(_parse_user(u, msp_ids, source) for u in (raw.get("users") or []))
    chaincodes = tuple(_parse_chaincode(c, msp_ids, source) for c in (raw.get("chaincodes") or []))
    names = [c.name for c in chaincodes]
    if len(set(names)) != len(names):
        raise ConfigError(f"{source}: chaincode names must be unique, got {names}")
    return DevnetConfig(channel, peers, batch, users, chaincodes)


def default_endorsement_policy(msp_ids: list[str]) -> str:
    """The chaincode policy when devnet.yaml gives none (docs/endorsement.md): every organisation
    with two or fewer; with more, the first listed (the utility's) AND any one other."""
    if len(msp_ids) <= 2:
        return "AND(" + ",".join(f"'{m}.peer'" for m in sorted(msp_ids)) + ")"
    utility, *others = msp_ids
    return f"AND('{utility}.peer',OR(" + ",".join(f"'{m}.peer'" for m in others) + "))"


def _parse_peers(raw: object, source: str) -> tuple[PeerConfig, ...]:
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{source}: 'peers' must map MSP ids to {{port: N}}")
    peers = []
    for msp_id, entry in raw.items():
        port = entry.get("port") if isinstance(entry, dict) else None
        if not isinstance(port, int) or not 0 < port < 65536:
            raise ConfigError(f"{source}: peers.{msp_id}.port must be a TCP port number")
        peers.append(PeerConfig(str(msp_id), port))
    return tuple(peers)


def _parse_batch(raw: object, source: str) -> BatchConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: 'batch' must be a mapping")
    defaults = BatchConfig()
    values: dict[str, int] = {}
    for name in (
        "max_message_count",
        "batch_timeout_ms",
        "preferred_max_bytes",
        "absolute_max_bytes",
    ):
        value = raw.get(name, getattr(defaults, name))
        if not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{source}: batch.{name} must be a positive integer")
        values[name] = value
    return BatchConfig(**values)


def _parse_user(raw: object, msp_ids: list[str], source: str) -> UserConfig:
    if not isinstance(raw, dict) or not raw.get("name") or not raw.get("org"):
        raise ConfigError(f"{source}: each user needs 'org' and 'name', got {raw!r}")
    org, name, ou = str(raw["org"]), str(raw["name"]), str(raw.get("ou", "client"))
    if org not in msp_ids:
        raise ConfigError(f"{source}: user {name!r} names unknown org {org!r}")
    if ou not in NODE_OUS:
        raise ConfigError(f"{source}: user {name!r} has ou {ou!r}, expected one of {NODE_OUS}")
    attrs = raw.get("attrs") or {}
    if not isinstance(attrs, dict):
        raise ConfigError(f"{source}: user {name!r}: 'attrs' must be a mapping")
    return UserConfig(org, name, ou, {str(k): str(v) for k, v in attrs.items()})


def _collection_policy(coll: Mapping[str, object], msp_ids: list[str], source: str) -> str:
    """A collection's own endorsement policy text (checked), "" when it has none."""
    text = str(coll.get("endorsement_policy") or "").strip()
    if not text:
        return ""
    try:
        parse_policy(text)
    except PolicyParseError as exc:
        raise ConfigError(
            f"{source}: collection {coll['name']!r}: endorsement_policy {text!r}: {exc}"
        ) from None
    return text


def _flag(coll: Mapping[str, object], name: str, source: str) -> bool:
    value = coll.get(name, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{source}: collection {coll['name']!r}: {name} must be true or false")
    return value


def _count(coll: Mapping[str, object], name: str, default: int, source: str) -> int:
    value = coll.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{source}: collection {coll['name']!r}: {name} must be >= 0")
    return value


def _parse_collection(
    coll: object, chaincode: str, msp_ids: list[str], source: str
) -> CollectionConfig:
    if not isinstance(coll, dict) or not coll.get("name"):
        raise ConfigError(f"{source}: chaincode {chaincode!r}: each collection needs a 'name'")
    members = tuple(str(m) for m in coll.get("members") or [])
    unknown = [m for m in members if m not in msp_ids]
    if not members or unknown:
        raise ConfigError(
            f"{source}: collection {coll['name']!r} needs member orgs among {sorted(msp_ids)}"
        )
    btl = coll.get("block_to_live", 0)
    if not isinstance(btl, int) or btl < 0:
        raise ConfigError(f"{source}: collection {coll['name']!r}: block_to_live must be >= 0")
    required = _count(coll, "required_peer_count", 0, source)
    maximum = _count(coll, "max_peer_count", 1, source)
    if required > maximum:
        raise ConfigError(
            f"{source}: collection {coll['name']!r}: required_peer_count ({required}) must not "
            f"exceed max_peer_count ({maximum})"
        )
    return CollectionConfig(
        str(coll["name"]),
        members,
        btl,
        _collection_policy(coll, msp_ids, source),
        _flag(coll, "member_only_read", source),
        _flag(coll, "member_only_write", source),
        required,
        maximum,
    )


def _parse_chaincode(raw: object, msp_ids: list[str], source: str) -> ChaincodeConfig:
    if not isinstance(raw, dict) or not raw.get("name") or not raw.get("address"):
        raise ConfigError(f"{source}: each chaincode needs 'name' and 'address', got {raw!r}")
    name = str(raw["name"])
    policy = raw.get("policy") or default_endorsement_policy(msp_ids)
    collections = [
        _parse_collection(c, name, msp_ids, source) for c in raw.get("collections") or []
    ]
    meter_data = raw.get("meter_data_collections", True)
    if not isinstance(meter_data, bool):
        raise ConfigError(f"{source}: chaincode {name!r}: meter_data_collections must be a boolean")
    if meter_data:
        clash = sorted(c.name for c in collections if is_meter_data_collection(c.name))
        if clash:
            raise ConfigError(
                f"{source}: chaincode {name!r}: collections {clash} are derived from the "
                f"organisations ({METER_DATA_PREFIX}<MSP>); remove them or set "
                "meter_data_collections: false"
            )
        collections += meter_data_collections(msp_ids)
    names = [c.name for c in collections]
    if len(set(names)) != len(names):
        raise ConfigError(f"{source}: chaincode {name!r}: collection names must be unique")
    server = str(raw.get("server", "external"))
    if server not in ("python", "external"):
        raise ConfigError(f"{source}: chaincode {name!r}: server must be 'python' or 'external'")
    return ChaincodeConfig(
        name=name,
        address=str(raw["address"]),
        tls=bool(raw.get("tls", True)),
        policy=str(policy),
        collections=tuple(collections),
        version=str(raw.get("version", "1.0")),
        server=server,
        meter_data=meter_data,
    )
