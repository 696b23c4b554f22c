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
    member_only_read: bool = False  # only members' identities may read it (Fabric memberOnlyRead)
    member_only_write: bool = False  # only members' identities may write it (memberOnlyWrite)

    def may_read(self, msp_id: str | None) -> bool:
        """Whether an identity of ``msp_id`` may read it (``None``: not checked)."""
        return msp_id is None or not self.member_only_read or msp_id in self.members

    def may_write(self, msp_id: str | None) -> bool:
        return msp_id is None or not self.member_only_write or msp_id in self.members


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
