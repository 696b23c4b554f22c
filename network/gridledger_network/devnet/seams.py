"""The seams between the devnet's halves, fixed first so both sides can be built at once.

Ledger side (``msp``, ``policy``, ``channel``, ``ledger``, ``orderer``, ``validator``) provides
these; service side (``gateway``, ``deliver``, ``endorser``, ``chaincode_support``, ``server``)
consumes them.
Fabric's own protobuf messages are the data format across the seam wherever one exists.

Conventions
- Keys are Python ``str`` exactly as the chaincode sent them (composite keys start with U+0000).
- Versions are Fabric's (block number, tx number within the block).
- Ledger reads are synchronous, thread-safe and fast (SQLite); services call them from the event
  loop.
- Block numbers start at 0, the genesis config block. ``height`` is the next block's number.

Ledger-side implementation (added by the ledger side; see ``channel/devnet_channel.py``)::

    from gridledger_network.devnet.config import load_config          # DevnetConfig dataclasses
    from gridledger_network.devnet.channel import open_channel
    channel = open_channel(home, load_config(home))   # crypto generated, genesis committed
    channel.channel_config      # ChannelConfig: deserialize_and_verify_identity (raises
                                #   UnknownIdentity), chaincode(name), endorsement_policy(name),
                                #   collection(cc, coll), msp_manager
    channel.ledger              # Ledger (SqliteLedger); also block_bytes(n), tx_envelope(tx_id),
                                #   tx_location(tx_id), private_range(ns, coll, start, end),
                                #   last_block_hash
    channel.transient_store     # TransientStore
    channel.peer_signers[msp]   # msp.LocalSigner: serialized_identity, sign(msg) (low-S)
    channel.layout              # crypto.CryptoLayout: node_tls_dir(msp), user_msp_dir(msp, name)
    orderer = channel.new_orderer(); orderer.start(loop); ...; orderer.stop(); channel.close()

What the validator expects from the service side (Fabric's own rules):
- envelope = protoutil.CreateSignedTx: Payload{header (the proposal's channel and signature
  headers), data = Transaction{actions: [TransactionAction{header = the proposal's
  SignatureHeader bytes, payload = ChaincodeActionPayload{chaincode_proposal_payload = the
  proposal's ChaincodeProposalPayload with TransientMap removed, action =
  ChaincodeEndorsedAction{proposal_response_payload, endorsements}}}]}}, signed by the creator.
- ProposalResponsePayload.proposal_hash = SHA-256(channel_header ‖ signature_header ‖
  ChaincodeProposalPayload-without-transient bytes); extension = ChaincodeAction with
  chaincode_id {name, version non-empty, e.g. "1.0"} (name = the header extension's name).
- Endorsement signature = sign(proposal_response_payload ‖ endorser) by the org's peer.
- Range queries: RangeQueryInfo with raw_reads; when the iterator was not exhausted, end_key is
  the last key read and itr_exhausted is false (Fabric's simulator does this).
- Private data: CollectionHashedReadWriteSet.pvt_rwset_hash = SHA-256 of the
  CollectionPvtReadWriteSet.rwset bytes put in the TransientStore for the tx id.
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

    def range(
        self, namespace: str, start_key: str, end_key: str
    ) -> Iterator[tuple[str, VersionedValue]]:
        """Keys in [start_key, end_key) in byte order; end_key "" means unbounded."""
        ...

    def history(self, namespace: str, key: str) -> Iterator[HistoryEntry]:
        """Every committed (valid) write of key, newest first, as Fabric returns it."""
        ...

    def get_private_data(
        self, namespace: str, collection: str, key: str
    ) -> VersionedValue | None: ...

    def get_private_data_hash(
        self, namespace: str, collection: str, key_hash: bytes
    ) -> VersionedValue | None:
        """The committed SHA-256 of a private value, by SHA-256 of its key (value = value hash)."""
        ...


class Ledger(StateReader, Protocol):
    """The channel's committed blocks, state, history, tx-id index (one copy serves both peers)."""

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
    """Private write sets disseminated at endorsement, kept until their transaction commits."""

    def put(self, tx_id: str, private_rwset: Any) -> None:
        """``private_rwset`` is an ``rwset.TxPvtReadWriteSet``."""
        ...


class UnknownIdentity(Exception):
    """A serialized identity that is not a valid member of a channel MSP; the message says why.

    (Added by the ledger side: ``deserialize_and_verify_identity`` raises it.)
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

        Returns an identity object with ``msp_id``, ``certificate`` (x509),
        ``verify(msg, sig) -> bool``,
        ``roles`` (set of 'admin'|'peer'|'client'|'orderer'|'member'). Raises ``UnknownIdentity``.
        """
        ...
