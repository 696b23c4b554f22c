"""Fabric signature-policy strings and their evaluation (each principal needs a distinct signer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fabric_protos.msp import msp_principal_pb2
from gridledger_network.devnet.channel import DevnetChannelConfig
from gridledger_network.devnet.config import default_config
from gridledger_network.devnet.crypto import CryptoLayout, ensure_crypto_material
from gridledger_network.devnet.msp import Identity, LocalSigner
from gridledger_network.devnet.policy import (
    PolicyParseError,
    SignedData,
    evaluate_envelope,
    parse_policy,
    verified_signers,
)


def _principals(text: str) -> list[tuple[str, int]]:
    result = []
    for p in parse_policy(text).identities:
        role = msp_principal_pb2.MSPRole.FromString(p.principal)
        result.append((role.msp_identifier, role.role))
    return result


def test_parse_and_or_outof() -> None:
    env = parse_policy("AND('GridOperatorMSP.peer','ProsumerMSP.peer')")
    assert env.rule.n_out_of.n == 2 and [r.signed_by for r in env.rule.n_out_of.rules] == [0, 1]
    assert _principals("OR('A.member', 'B.admin')") == [("A", 0), ("B", 1)]
    assert parse_policy("OutOf(2, 'A.peer', 'B.peer', 'C.client')").rule.n_out_of.n == 2
    assert _principals("outof(1, 'x.y.orderer')") == [("x.y", 4)]


def test_nested_gates_number_principals_as_fabric() -> None:
    # Fabric numbers a gate's nested gates before its own principals
    assert _principals("OR('A.peer', AND('B.peer', 'C.member'), 'D.admin')") == [
        ("B", 3),
        ("C", 0),
        ("A", 3),
        ("D", 1),
    ]
    rule = parse_policy("OR('A.peer', AND('B.peer', 'C.member'), 'D.admin')").rule.n_out_of
    assert rule.rules[0].signed_by == 2 and rule.rules[2].signed_by == 3


@pytest.mark.parametrize(
    "text",
    [
        "",
        "AND()",
        "AND('A.peer'",
        "XOR('A.peer')",
        "AND('A.boss')",
        "OutOf(3, 'A.peer')",
        "OR('A.peer') x",
    ],
)
def test_bad_policies_are_refused(text: str) -> None:
    with pytest.raises(PolicyParseError):
        parse_policy(text)


@pytest.fixture(scope="module")
def identities(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Identity]:
    layout: CryptoLayout = ensure_crypto_material(
        tmp_path_factory.mktemp("c") / "crypto", default_config()
    )
    channel = DevnetChannelConfig.from_crypto(default_config(), layout)
    found = {}
    for key, msp_id, folder in (
        ("op_peer", "GridOperatorMSP", layout.node_msp_dir("GridOperatorMSP")),
        ("pro_peer", "ProsumerMSP", layout.node_msp_dir("ProsumerMSP")),
        ("op_admin", "GridOperatorMSP", layout.user_msp_dir("GridOperatorMSP", "Admin")),
        ("op_user", "GridOperatorMSP", layout.user_msp_dir("GridOperatorMSP", "User1")),
    ):
        signer = LocalSigner.from_msp_dir(Path(folder), msp_id)
        found[key] = channel.deserialize_and_verify_identity(signer.serialized_identity)
    return found


def test_evaluate_requires_distinct_signers(identities: dict[str, Identity]) -> None:
    both = parse_policy("AND('GridOperatorMSP.peer','ProsumerMSP.peer')")
    assert evaluate_envelope(both, [identities["op_peer"], identities["pro_peer"]])
    assert not evaluate_envelope(both, [identities["op_peer"]])
    twice = parse_policy("AND('GridOperatorMSP.member','GridOperatorMSP.member')")
    assert not evaluate_envelope(twice, [identities["op_peer"]])
    assert evaluate_envelope(twice, [identities["op_peer"], identities["op_user"]])


def test_roles_admin_client_member(identities: dict[str, Identity]) -> None:
    admin = parse_policy("OR('GridOperatorMSP.admin')")
    assert evaluate_envelope(admin, [identities["op_admin"]])
    assert not evaluate_envelope(admin, [identities["op_user"]])
    client = parse_policy("OR('GridOperatorMSP.client')")
    assert evaluate_envelope(client, [identities["op_user"]]) and not evaluate_envelope(
        client, [identities["op_peer"]]
    )
    member = parse_policy(
        "OutOf(2, 'GridOperatorMSP.member', 'ProsumerMSP.member', 'GridOperatorMSP.admin')"
    )
    assert evaluate_envelope(member, [identities["op_admin"], identities["pro_peer"]])
    assert not evaluate_envelope(member, [identities["op_admin"]])


def test_verified_signers_drop_bad_and_duplicate_signatures(tmp_path: Path) -> None:
    layout = ensure_crypto_material(tmp_path / "crypto", default_config())
    channel = DevnetChannelConfig.from_crypto(default_config(), layout)
    peer = LocalSigner.from_msp_dir(layout.node_msp_dir("GridOperatorMSP"), "GridOperatorMSP")
    good = SignedData(peer.serialized_identity, b"data", peer.sign(b"data"))
    bad = SignedData(peer.serialized_identity, b"data", peer.sign(b"other"))
    unknown = SignedData(b"junk", b"data", b"sig")
    signers = verified_signers([bad, good, good, unknown], channel.msp_manager)
    assert [s.msp_id for s in signers] == ["GridOperatorMSP"]
