"""The collections config a real Fabric chaincode definition gets from devnet.yaml's collections."""

from __future__ import annotations

from gridledger_network.devnet.config import ChaincodeConfig, CollectionConfig
from gridledger_network.fabric.lifecycle import collections_config


def test_collection_endorsement_policy_becomes_a_signature_policy() -> None:
    chaincode = ChaincodeConfig(
        name="cc",
        address="127.0.0.1:1",
        collections=(
            CollectionConfig("plain", ("AMSP",), 0),
            CollectionConfig("own", ("AMSP", "BMSP"), 5, "AND('AMSP.peer','BMSP.peer')"),
        ),
    )
    plain, own = collections_config(chaincode)
    assert "endorsementPolicy" not in plain
    assert own["policy"] == "OR('AMSP.member','BMSP.member')"
    assert own["blockToLive"] == 5
    assert own["endorsementPolicy"] == {"signaturePolicy": "AND('AMSP.peer','BMSP.peer')"}
