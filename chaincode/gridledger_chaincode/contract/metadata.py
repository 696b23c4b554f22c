"""Contract metadata in the shape fabric-contract-api's `GetMetadata` returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gridledger_chaincode.contract.contract import Contract

SCHEMA_URL = "https://hyperledger.github.io/fabric-chaincode-node/main/api/contract-schema.json"


def chaincode_metadata(
    contracts: Sequence[Contract], default_name: str, title: str, version: str
) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    described: dict[str, Any] = {}
    for contract in contracts:
        instance: dict[str, Any] = {"name": contract.name}
        if contract.name == default_name:
            instance["default"] = True
        described[contract.name] = {
            "name": contract.name,
            "contractInstance": instance,
            "transactions": [fn.metadata(schemas) for fn in contract.transactions.values()],
            "info": {"title": contract.title or contract.name, "version": contract.version},
        }
    return {
        "$schema": SCHEMA_URL,
        "contracts": described,
        "info": {"title": title, "version": version},
        "components": {"schemas": schemas},
    }
