"""fabric.yaml's hosts without running Fabric: addresses, peers per organisation, consensus and
network namespaces as parsed, and what they become in certificates and the channel's genesis
configuration. (The real bring-up across namespaces: tests/fabric/test_hosts.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from gridledger_network.devnet.config import ConfigError
from gridledger_network.fabric import netns
from gridledger_network.fabric.config import (
    NetnsConfig,
    default_fabric_config,
    fabric_config_to_dict,
    load_fabric_config,
    parse_fabric_config,
    with_netns,
)
from gridledger_network.fabric.configtx import configtx_document
from gridledger_network.fabric.crypto import ensure_fabric_crypto

OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"


def _document(**changes: Any) -> dict[str, Any]:
    document = fabric_config_to_dict(default_fabric_config())
    document.update(changes)
    return document


def test_the_default_puts_every_node_on_loopback_with_one_peer_and_raft() -> None:
    config = parse_fabric_config(_document())

    assert config.consensus == "raft" and config.netns is None
    assert config.orderer_address(0) == "127.0.0.1"
    assert {config.peer_address(m) for m in (OPERATOR, PROSUMER)} == {"127.0.0.1"}
    assert [config.peer_count(m) for m in (OPERATOR, PROSUMER)] == [1, 1]
    assert parse_fabric_config(fabric_config_to_dict(config)) == config


def test_netns_gives_each_org_and_orderer_its_address_and_chaincode_the_bridge() -> None:
    config = with_netns(default_fabric_config(3), NetnsConfig("10.77.0.0/24", "gl"))

    assert [config.orderer_address(i) for i in range(3)] == [
        "10.77.0.100",
        "10.77.0.101",
        "10.77.0.102",
    ]
    assert [config.peer_address(m) for m in (OPERATOR, PROSUMER)] == ["10.77.0.10", "10.77.0.11"]
    assert all(c.address.startswith("10.77.0.1:") for c in config.network.chaincodes)
    layout = netns.plan(config)
    assert layout is not None and layout.bridge == "glbr0"
    assert [h.namespace for h in layout.hosts.values()] == [
        "gl-org0",
        "gl-org1",
        "gl-ord0",
        "gl-ord1",
        "gl-ord2",
    ]
    assert all(len(h.veth_bridge) <= 15 for h in layout.hosts.values())
    assert netns.namespace_of(config, "peer1-prosumermsp") == "gl-org1"
    assert netns.namespace_of(config, "orderer2") == "gl-ord2"
    assert netns.namespace_of(config, "chaincode-gridledger") is None
    assert netns.in_namespace(None, ["peer"]) == ["peer"]


def test_a_second_peer_listens_ten_ports_up_and_ports_may_repeat_across_addresses() -> None:
    document = _document()
    for index, entry in enumerate(document["peers"].values()):
        entry.update(port=7051, chaincode_port=7052, operations_port=9446, peers=2)
        entry["address"] = f"10.0.0.{index + 1}"
    config = parse_fabric_config(document)

    assert config.node_ports(PROSUMER, 1).all() == {
        "listen": 7061,
        "chaincode": 7062,
        "operations": 9456,
    }
    document["peers"][PROSUMER]["address"] = "10.0.0.1"
    with pytest.raises(ConfigError, match="share an address and port"):
        parse_fabric_config(document)


@pytest.mark.parametrize(
    ("consensus", "orderers", "error"),
    [("raft", 5, None), ("bft", 4, None), ("bft", 3, "4 orderers for bft"), ("pbft", 1, "one of")],
)
def test_consensus_decides_how_many_orderers(
    consensus: str, orderers: int, error: str | None
) -> None:
    document = _document(consensus=consensus)
    document["orderers"] = [
        {"port": 7050 + 10 * i, "admin_port": 7053 + 10 * i, "operations_port": 9500 + i}
        for i in range(orderers)
    ]
    if error is None:
        assert len(parse_fabric_config(document).orderers) == orderers
    else:
        with pytest.raises(ConfigError, match=error):
            parse_fabric_config(document)


@pytest.mark.parametrize(
    ("field", "value"), [("address", "peer0.example"), ("peers", 0), ("peers", "two")]
)
def test_a_bad_address_or_peer_count_is_refused(field: str, value: object) -> None:
    document = _document()
    document["peers"][OPERATOR][field] = value
    with pytest.raises(ConfigError, match=field):
        parse_fabric_config(document)


def test_netns_refuses_a_public_subnet_and_a_long_prefix() -> None:
    with pytest.raises(ConfigError, match="private"):
        parse_fabric_config(_document(netns={"subnet": "8.8.8.0/24"}))
    with pytest.raises(ConfigError, match="prefix"):
        parse_fabric_config(_document(netns={"prefix": "gridledger"}))


def test_up_with_netns_writes_a_fabric_yaml_with_namespaces(tmp_path: Path) -> None:
    config = load_fabric_config(tmp_path, netns=True)

    assert config.netns == NetnsConfig()
    assert "netns:" in (tmp_path / "fabric.yaml").read_text(encoding="utf-8")


def _sans(cert: Path) -> set[str]:
    loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    names = loaded.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} | set(
        names.get_values_for_type(x509.DNSName)
    )


def test_certificates_and_the_genesis_configuration_name_each_nodes_host_and_address(
    tmp_path: Path,
) -> None:
    config = with_netns(default_fabric_config(4, "bft"), NetnsConfig("10.77.0.0/24", "gl"))
    document = fabric_config_to_dict(config)
    document["peers"][PROSUMER]["peers"] = 2
    config = parse_fabric_config(document)
    crypto = ensure_fabric_crypto(tmp_path, config)

    peer1 = crypto.peer_dir(PROSUMER, 1) / "tls" / "server.crt"
    assert {crypto.peer_host(PROSUMER, 1), "10.77.0.11", "127.0.0.1"} <= _sans(peer1)
    assert {"orderer3.orderer.gridledger.local", "10.77.0.103"} <= _sans(
        crypto.orderer_tls(3) / "server.crt"
    )
    channel = configtx_document(config, crypto)["Profiles"]["GridLedgerChannel"]
    orderer = channel["Orderer"]
    assert orderer["OrdererType"] == "BFT" and "EtcdRaft" not in orderer
    assert [(c["ID"], c["Host"]) for c in orderer["ConsenterMapping"]] == [
        (i + 1, f"10.77.0.{100 + i}") for i in range(4)
    ]
    prosumer = next(o for o in channel["Application"]["Organizations"] if o["Name"] == PROSUMER)
    assert prosumer["AnchorPeers"] == [
        {"Host": "10.77.0.11", "Port": 9051},
        {"Host": "10.77.0.11", "Port": 9061},
    ]
