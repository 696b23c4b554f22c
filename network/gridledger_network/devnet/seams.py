"""The seams between the devnet's halves, fixed first so both sides can be built at once.

Ledger side (``msp``, ``policy``, ``channel``, ``ledger``, ``orderer``, ``validator``) provides these;
service side (``gateway``, ``deliver``, ``endorser``, ``chaincode_support``, ``server``) consumes them.
Fabric's own protobuf messages are the data format across the seam wherever one exists.

Conventions
- Keys are Python ``str`` exactly as the chaincode sent them (composite keys start with U+0000).
- Versions are Fabric's (block number, tx number within the block).
- Ledger reads are synchronous, thread-safe and fast (SQLite); services call them from the event loop.
- Block numbers start at 0, the genesis config block. ``height`` is the next block's number.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Version:
    block: int
    tx: int


@dataclass(frozen=True, slots=True)
class VersionedValue:
    value: bytes
    version: Version
    metadata: Mapping[str, bytes]  # state metadata, e.g. {"VALIDATION_PARAMETER": policy bytes}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    tx_id: str
    value: bytes
    is_delete: bool
    timestamp_seconds: int
    timestamp_nanos: int


@dataclass(frozen=True, slots=True)
class TxStatus:
    validation_code: int  # peer.TxValidationCode value
    block_number: int


class StateReader(Protocol):
    """Committed world state, as a peer's simulator reads it."""

    def get_state(self, namespace: str, key: str) -> VersionedValue | None: ...

    def get_states(self, namespace: str, keys: Sequence[str]) -> list[VersionedValue | None]: ...

    def range(self, namespace: str, start_key: str, end_key: str) -> Iterator[tuple[str, VersionedValue]]:
        """Keys in [start_key, end_key) in byte order; end_key "" means unbounded."""
        ...

    def history(self, namespace: str, key: str) -> Iterator[HistoryEntry]:
        """Every committed (valid) write of key, newest first, as Fabric returns it."""
        ...

    def get_private_data(self, namespace: str, collection: str, key: str) -> VersionedValue | None: ...

    def get_private_data_hash(
        self, namespace: str, collection: str, key_hash: bytes
    ) -> VersionedValue | None:
        """The committed SHA-256 of a private value, by SHA-256 of its key (value field = value hash)."""
        ...


class Ledger(StateReader, Protocol):
    """The channel's committed blocks, state, history and tx-id index (one copy serves both peers)."""

    @property
    def channel(self) -> str: ...

    @property
    def height(self) -> int: ...

    def block(self, number: int) -> Any:
        """The committed ``common.Block`` (TRANSACTIONS_FILTER filled). KeyError if not yet committed."""
        ...

    def tx_status(self, tx_id: str) -> TxStatus | None: ...

    def private_data_for_block(self, number: int) -> Mapping[int, Any]:
        """tx index -> ``rwset.TxPvtReadWriteSet`` committed with that block (for DeliverWithPrivateData)."""
        ...

    def on_commit(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(block)`` after each block is durably committed (in the committing thread)."""
        ...

    def wait_for_height(self, height: int) -> Awaitable[None]:
        """Resolve once ``self.height >= height`` (asyncio; safe to await from the devnet's loop)."""
        ...


class TransientStore(Protocol):
    """Private write sets disseminated at endorsement, kept until their transaction commits."""

    def put(self, tx_id: str, private_rwset: Any) -> None:
        """``private_rwset`` is an ``rwset.TxPvtReadWriteSet``."""
        ...


class OrdererRejected(Exception):
    """Broadcast refused; ``status`` is a ``common.Status`` value (e.g. BAD_REQUEST=400)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Orderer(Protocol):
    def broadcast(self, envelope: Any) -> None:
        """Accept a signed ``common.Envelope`` for ordering, or raise ``OrdererRejected``.

        Blocks are cut by count, bytes or timeout, then validated and committed to the Ledger.
        """
        ...


class ChannelConfig(Protocol):
    """What the channel knows: organisations, their MSPs, chaincode definitions."""

    channel: str
    org_msp_ids: Sequence[str]  # peer organisations, e.g. ["GridOperatorMSP", "ProsumerMSP"]

    def deserialize_and_verify_identity(self, serialized_identity: bytes) -> Any:
        """Parse a ``msp.SerializedIdentity``; check the certificate chains to that MSP's CA.

        Returns an identity object with ``msp_id``, ``certificate`` (x509), ``verify(msg, sig) -> bool``,
        ``roles`` (set of 'admin'|'peer'|'client'|'orderer'|'member'). Raises ``UnknownIdentity``.
        """
        ...
