"""Turn (identity, data, signature) triples into the verified, de-duplicated signer list."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from gridledger_network.devnet.interfaces import UnknownIdentity
from gridledger_network.devnet.msp.identity import Identity
from gridledger_network.devnet.msp.provider import MSPManager

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SignedData:
    identity: bytes  # msp.SerializedIdentity
    data: bytes
    signature: bytes


def verified_signers(signed: Iterable[SignedData], msps: MSPManager) -> list[Identity]:
    """As Fabric's SignatureSetToValidIdentities: drop unknown, duplicate, bad signers."""
    seen: set[tuple[str, bytes]] = set()
    result: list[Identity] = []
    for item in signed:
        try:
            identity = msps.deserialize_identity(item.identity)
        except UnknownIdentity as exc:
            log.warning("signature from an invalid identity ignored: %s", exc)
            continue
        if identity.key in seen:
            log.warning("duplicate signature from %r ignored", identity)
            continue
        if not identity.verify(item.data, item.signature):
            log.warning("invalid signature from %r ignored", identity)
            continue
        seen.add(identity.key)
        result.append(identity)
    return result
