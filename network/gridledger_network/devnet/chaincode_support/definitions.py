"""What the service side needs to know about a chaincode, independent of how it is configured."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class CollectionDefinition:
    name: str
    members: frozenset[str]  # MSP ids of the organisations holding the private data
    block_to_live: int = 0
    endorsement_policy: Any | None = None  # common.SignaturePolicyEnvelope, None = chaincode's


@dataclass(frozen=True, slots=True)
class ChaincodeTls:
    """PEM material the peers use to dial a CCaaS server over TLS."""

    root_cert: bytes
    client_cert: bytes | None = None
    client_key: bytes | None = None


@dataclass(frozen=True, slots=True)
class ChaincodeDefinition:
    name: str
    address: str  # host:port of the CCaaS server
    policy: Any  # common.SignaturePolicyEnvelope
    tls: ChaincodeTls | None = None  # None: plaintext
    collections: Mapping[str, CollectionDefinition] = field(default_factory=dict)
    version: str = "1.0"
    policy_text: str = ""
