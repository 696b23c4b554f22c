"""The interfaces between the devnet's channel (ledger, orderer, validator, MSPs) and its services.

The channel (``channel.open_channel``) provides ``ChannelConfig``, ``Ledger`` (a ``StateReader``),
``TransientStore`` and ``Orderer``; the peer services (gateway, deliver, endorser, chaincode
support) use only these. Fabric's own protobuf messages are the data across them wherever Fabric
has one.

Conventions every implementation keeps:
- Keys are ``str`` exactly as the chaincode sent them (composite keys start with U+0000).
- A ``Version`` is Fabric's: (block number, transaction number within the block).
- Block numbers start at 0, the genesis configuration block; ``height`` is the next block's number.
- Ledger reads are synchronous, thread-safe and fast; services may call them on the event loop.

What a transaction must be for the channel to validate it (Fabric's own rules):
- envelope = protoutil.CreateSignedTx: Payload{header (the proposal's channel and signature
  headers), data = Transaction{actions: [TransactionAction{header = the proposal's
  SignatureHeader bytes, payload = ChaincodeActionPayload{chaincode_proposal_payload = the
  proposal's ChaincodeProposalPayload with TransientMap removed, action =
  ChaincodeEndorsedAction{proposal_response_payload, endorsements}}}]}}, signed by the creator.
- ProposalResponsePayload.proposal_hash = SHA-256(channel_header ‖ signature_header ‖
  ChaincodeProposalPayload-without-transient bytes); extension = ChaincodeAction with
  chaincode_id {name, version non-empty, e.g. "1.0"} (name = the header extension's name).
- Endorsement signature = sign(proposal_response_payload ‖ endorser) by the org's peer.
- Range queries: RangeQueryInfo with raw_reads (a Merkle summary beyond 50 results, as Fabric
  records it: devnet.query_reads); when the iterator was not exhausted, end_key is
  the last key read and itr_exhausted is false (as Fabric's simulator records them).
- Private data: CollectionHashedReadWriteSet.pvt_rwset_hash = SHA-256 of the
  CollectionPvtReadWriteSet.rwset bytes put in the ``TransientStore`` for the transaction id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Version:
    """The height of the transaction that last wrote a key: (block number, tx number in it)."""

    block: int
    tx: int


@dataclass(frozen=True, slots=True)
class VersionedValue:
    """A committed value with the version that wrote it and its state metadata."""

    value: bytes
    version: Version
    metadata: Mapping[str, bytes]  # state metadata, e.g. {"VALIDATION_PARAMETER": policy bytes}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One committed write of a key (a delete has ``is_delete`` and an empty value)."""

    tx_id: str
    value: bytes
    is_delete: bool
    timestamp_seconds: int
    timestamp_nanos: int


@dataclass(frozen=True, slots=True)
class TxStatus:
    """How a committed transaction was validated, and in which block."""

    validation_code: int  # peer.TxValidationCode value
    block_number: int


class StateReader(Protocol):
    """Committed world state, as a peer's simulator reads it.

    Reads see whole blocks only: a block's writes become visible together, once committed."""

    def get_state(self, namespace: str, key: str) -> VersionedValue | None: ...

    def get_states(self, namespace: str, keys: Sequence[str]) -> list[VersionedValue | None]: ...

    def range(
        self, namespace: str, start_key: str, end_key: str
    ) -> Iterator[tuple[str, VersionedValue]]:
        """Keys in [start_key, end_key) in byte order; end_key "" means unbounded."""
        ...

    def history(self, namespace: str, key: str) -> Iterator[HistoryEntry]:
        """Every committed (valid) write of key, newest first, as Fabric returns it."""
        ...

    def get_private_data_and_hash(
        self, namespace: str, collection: str, key: str
    ) -> tuple[VersionedValue | None, VersionedValue | None]:
        """(the committed hash, the committed value) of a private key, from one ledger state."""
        ...

    def get_private_data_hash(
        self, namespace: str, collection: str, key_hash: bytes
    ) -> VersionedValue | None:
        """The committed SHA-256 of a private value, by SHA-256 of its key (value = value hash)."""
        ...


class Ledger(StateReader, Protocol):
    """The channel's committed blocks, world state, history and transaction index.

    One ledger serves every peer endpoint of the devnet. A block is committed atomically: its
    block, state, history, index and private data are all there or none is, also after a crash.
    """

    @property
    def channel(self) -> str: ...

    @property
    def height(self) -> int: ...

    def block(self, number: int) -> Any:
        """The committed ``common.Block`` (TRANSACTIONS_FILTER set); KeyError if not committed."""
        ...

    def tx_status(self, tx_id: str) -> TxStatus | None: ...

    def private_data_for_block(self, number: int) -> Mapping[int, Any]:
        """tx index -> ``rwset.TxPvtReadWriteSet`` of the block (for DeliverWithPrivateData)."""
        ...

    def on_commit(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(block)`` once each block is committed, in the committing thread."""
        ...

    def wait_for_height(self, height: int) -> Awaitable[None]:
        """Resolve once ``self.height >= height`` (asyncio; await it on the devnet's loop)."""
        ...


class TransientStore(Protocol):
    """Private write sets handed over at endorsement, kept until their transaction commits.

    At commit the validator takes a transaction's private data from here, checks it against the
    hashes in the public write set and stores it with the block."""

    def put(self, tx_id: str, private_rwset: Any) -> None:
        """``private_rwset`` is an ``rwset.TxPvtReadWriteSet``."""
        ...


class UnknownIdentity(Exception):
    """A serialized identity that is not a valid member of a channel MSP; the message says why.

    ``ChannelConfig.deserialize_and_verify_identity`` raises it.
    """


class MalformedIdentity(UnknownIdentity):
    """An identity Fabric's MSP cannot even deserialize: not a SerializedIdentity, an MSP the
    channel does not know, no certificate, or a certificate that does not chain to the MSP's
    root (Fabric validates the chain while sanitising the certificate). Other failures (NodeOU,
    expiry) are found when Fabric validates the deserialized identity."""


class OrdererRejected(Exception):
    """Broadcast refused; ``status`` is a ``common.Status`` value (e.g. BAD_REQUEST=400)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Orderer(Protocol):
    """Orders accepted envelopes into blocks; the channel validates and commits each block."""

    def broadcast(self, envelope: Any) -> None:
        """Accept a signed ``common.Envelope`` for ordering, or raise ``OrdererRejected``.

        Blocks are cut by count, bytes or timeout, then validated and committed to the Ledger.
        """
        ...


class ChannelConfig(Protocol):
    """What the channel knows: its organisations, their MSPs, the chaincode definitions."""

    channel: str
    org_msp_ids: Sequence[str]  # peer organisations, e.g. ["GridOperatorMSP", "ProsumerMSP"]

    def deserialize_and_verify_identity(self, serialized_identity: bytes) -> Any:
        """Parse a ``msp.SerializedIdentity``; check the certificate chains to that MSP's CA.

        Returns an identity object with ``msp_id``, ``certificate`` (x509),
        ``verify(msg, sig) -> bool``,
        ``roles`` (set of 'admin'|'peer'|'client'|'orderer'|'member'). Raises ``UnknownIdentity``.
        """
        ...
