"""An in-memory ledger and stub implementing `LedgerStub`, for contract and domain unit tests.

It follows Fabric's simulation rules where contract code can notice them: a transaction reads
committed state only (not its own writes), its writes are kept only if it succeeds, missing keys
read as empty bytes, range queries are ordered by key with the end key excluded, history is
newest first.

    ledger = InMemoryLedger()
    result = ledger.invoke(chaincode, "kv:Put", "greeting", "hello")
    assert result.ok, result.message
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gridledger_chaincode.shim.identity import FABRIC_CA_ATTRIBUTES_OID, ClientIdentity
from gridledger_chaincode.shim.interface import Chaincode
from gridledger_chaincode.shim.iterators import ListQueryIterator
from gridledger_chaincode.shim.stub_base import PUBLIC, StubBase, require_collection
from gridledger_chaincode.shim.types import (
    KV,
    ChaincodeEventData,
    ChaincodeResponse,
    KeyModification,
    QueryPageMetadata,
)

DEFAULT_TIME = datetime(2025, 1, 1, tzinfo=UTC)


def make_identity(
    msp_id: str = "GridOperatorMSP",
    common_name: str = "User1",
    *,
    ou: str = "client",
    attributes: Mapping[str, str] | None = None,
    organization: str | None = None,
) -> ClientIdentity:
    """A caller identity with a real (self-signed, P-256) certificate and Fabric CA attributes."""
    key = ec.generate_private_key(ec.SECP256R1())
    org = organization or msp_id.removesuffix("MSP").lower() + ".gridledger.local"
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    issuer = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, f"ca.{org}"),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(DEFAULT_TIME - timedelta(days=1))
        .not_valid_after(DEFAULT_TIME + timedelta(days=3650))
    )
    if attributes:
        value = json.dumps({"attrs": dict(attributes)}).encode()
        builder = builder.add_extension(
            x509.UnrecognizedExtension(FABRIC_CA_ATTRIBUTES_OID, value), critical=False
        )
    certificate = builder.sign(key, hashes.SHA256())
    return ClientIdentity(msp_id, certificate.public_bytes(serialization.Encoding.PEM))


@dataclass(frozen=True)
class TransactionResult:
    """What a transaction gave back, and the event it set."""

    tx_id: str
    response: ChaincodeResponse
    event: ChaincodeEventData | None

    @property
    def ok(self) -> bool:
        return self.response.ok

    @property
    def message(self) -> str:
        return self.response.message

    @property
    def payload(self) -> bytes:
        return self.response.payload

    @property
    def text(self) -> str:
        return self.response.payload.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.response.payload)


@dataclass
class _Writes:
    data: dict[tuple[str, str], bytes | None] = field(default_factory=dict)
    purges: set[tuple[str, str]] = field(default_factory=set)
    metadata: dict[tuple[str, str], dict[str, bytes]] = field(default_factory=dict)


class InMemoryLedger:
    """Committed state of one chaincode namespace on one channel, with history and private data."""

    def __init__(self, channel_id: str = "energy") -> None:
        self.channel_id = channel_id
        self.state: dict[str, bytes] = {}
        self.private: dict[str, dict[str, bytes]] = {}
        self.metadata: dict[tuple[str, str], dict[str, bytes]] = {}
        self.history: dict[str, list[KeyModification]] = {}
        self.chaincodes: dict[str, tuple[Chaincode, InMemoryLedger]] = {}
        self.default_identity = make_identity()
        self._counter = itertools.count(1)

    # -- running transactions -----------------------------------------------------------------
    def stub(
        self,
        function: str = "",
        *args: str | bytes,
        identity: ClientIdentity | None = None,
        transient: Mapping[str, bytes] | None = None,
        tx_id: str | None = None,
        timestamp: datetime | None = None,
    ) -> InMemoryStub:
        raw = [a.encode() if isinstance(a, str) else a for a in (function, *args)]
        return InMemoryStub(
            self,
            tx_id=tx_id or f"tx{next(self._counter):06d}",
            args=raw if function else raw[1:],
            identity=identity or self.default_identity,
            transient=dict(transient or {}),
            timestamp=timestamp or DEFAULT_TIME,
        )

    def invoke(
        self,
        chaincode: Chaincode,
        function: str,
        *args: str | bytes,
        identity: ClientIdentity | None = None,
        transient: Mapping[str, bytes] | None = None,
        timestamp: datetime | None = None,
    ) -> TransactionResult:
        """Run one transaction and commit its writes if it succeeds (as a submit would)."""
        stub = self.stub(
            function, *args, identity=identity, transient=transient, timestamp=timestamp
        )
        response = _read_only_private_queries(stub, chaincode.invoke(stub))
        if response.ok:
            self.commit(stub)
        return TransactionResult(stub.tx_id, response, stub.event)

    def evaluate(
        self,
        chaincode: Chaincode,
        function: str,
        *args: str | bytes,
        identity: ClientIdentity | None = None,
        transient: Mapping[str, bytes] | None = None,
    ) -> TransactionResult:
        """Run one transaction and drop its writes (as an evaluate does)."""
        stub = self.stub(function, *args, identity=identity, transient=transient)
        response = _read_only_private_queries(stub, chaincode.invoke(stub))
        return TransactionResult(stub.tx_id, response, stub.event)

    def register_chaincode(
        self, name: str, chaincode: Chaincode, ledger: InMemoryLedger | None = None
    ) -> None:
        """Make `name` callable by `invoke_chaincode` from this ledger's transactions."""
        self.chaincodes[name] = (chaincode, ledger or InMemoryLedger(self.channel_id))

    def commit(self, stub: InMemoryStub) -> None:
        writes = stub.writes
        for (collection, key), written in writes.data.items():
            value = written or None  # Fabric records an empty value as a delete
            if collection == PUBLIC:
                if value is None:
                    self.state.pop(key, None)
                    self.metadata.pop((PUBLIC, key), None)
                else:
                    self.state[key] = value
                self.history.setdefault(key, []).append(
                    KeyModification(stub.tx_id, value or b"", stub.tx_timestamp, value is None)
                )
            else:
                space = self.private.setdefault(collection, {})
                if value is None:
                    space.pop(key, None)
                else:
                    space[key] = value
        for collection, key in writes.purges:
            self.private.get(collection, {}).pop(key, None)
            self.metadata.pop((collection, key), None)
        for location, entries in writes.metadata.items():
            self.metadata.setdefault(location, {}).update(entries)

    # -- reads used by the stub ---------------------------------------------------------------
    def _space(self, collection: str) -> Mapping[str, bytes]:
        return self.state if collection == PUBLIC else self.private.get(collection, {})

    def _range(self, collection: str, start: str, end: str) -> list[KV]:
        space = self._space(collection)
        ordered = sorted(space)
        first = bisect.bisect_left(ordered, start)
        last = bisect.bisect_left(ordered, end) if end else len(ordered)
        return [KV(k, space[k]) for k in ordered[first:last]]


def _read_only_private_queries(
    stub: InMemoryStub, response: ChaincodeResponse
) -> ChaincodeResponse:
    """Fabric's rule: private range and partial-key queries only in a transaction that writes
    nothing (on Fabric 3.1.5 the peer refuses the batched writes at the end of such a one)."""
    writes = stub.writes
    wrote = bool(writes.data or writes.purges or writes.metadata)
    if not (response.ok and stub.private_queries and wrote):
        return response
    return ChaincodeResponse.error(
        f"txid [{stub.tx_id}]: unsuppored transaction. Transaction has already performed "
        "queries on pvt data. Writes are not allowed"
    )


class InMemoryStub(StubBase):
    """One transaction on an `InMemoryLedger`. Implements `LedgerStub`."""

    def __init__(
        self,
        ledger: InMemoryLedger,
        *,
        tx_id: str,
        args: list[bytes],
        identity: ClientIdentity,
        transient: dict[str, bytes],
        timestamp: datetime,
    ) -> None:
        super().__init__(tx_id, args)
        self.ledger = ledger
        self._identity = identity
        self._transient = transient
        self._timestamp = timestamp
        self.writes = _Writes()
        self.private_queries = False  # a private range or partial-key query was made

    # -- the proposal -------------------------------------------------------------------------
    @property
    def channel_id(self) -> str:
        return self.ledger.channel_id

    @property
    def function(self) -> str:
        return self._args[0].decode() if self._args else ""

    @property
    def creator(self) -> ClientIdentity:
        return self._identity

    @property
    def transient(self) -> Mapping[str, bytes]:
        return self._transient

    @property
    def tx_timestamp(self) -> datetime:
        return self._timestamp

    @property
    def signed_proposal(self) -> Any:
        return None

    # -- world state --------------------------------------------------------------------------
    def get_state(self, key: str) -> bytes:
        return self.ledger.state.get(key, b"")

    def get_multiple_states(self, keys: Sequence[str]) -> list[bytes]:
        return [self.get_state(k) for k in keys]

    def put_state(self, key: str, value: bytes) -> None:
        self._write(PUBLIC, key, value)

    def del_state(self, key: str) -> None:
        self.writes.data[(PUBLIC, key)] = None

    def _write(self, collection: str, key: str, value: bytes) -> None:
        if not key:
            raise ValueError("key must not be an empty string")
        if not isinstance(value, bytes):
            raise TypeError(f"value must be bytes, not {type(value).__name__}")
        self.writes.data[(collection, key)] = value

    def _range(
        self, collection: str, start_key: str, end_key: str, page_size: int | None, bookmark: str
    ) -> tuple[ListQueryIterator[KV], QueryPageMetadata]:
        if collection != PUBLIC:
            self.private_queries = True
        items = self.ledger._range(collection, start_key, end_key)
        if page_size is None:
            return ListQueryIterator(items), QueryPageMetadata(len(items), "")
        if bookmark:
            items = [kv for kv in items if kv.key >= bookmark]
        page = items[:page_size] if page_size > 0 else items
        next_bookmark = items[page_size].key if 0 < page_size < len(items) else ""
        return ListQueryIterator(page), QueryPageMetadata(len(page), next_bookmark)

    def get_history_for_key(self, key: str) -> ListQueryIterator[KeyModification]:
        return ListQueryIterator(list(reversed(self.ledger.history.get(key, []))))

    # -- private data -------------------------------------------------------------------------
    def get_private_data(self, collection: str, key: str) -> bytes:
        return self.ledger.private.get(require_collection(collection), {}).get(key, b"")

    def get_multiple_private_data(self, collection: str, keys: Sequence[str]) -> list[bytes]:
        return [self.get_private_data(collection, k) for k in keys]

    def put_private_data(self, collection: str, key: str, value: bytes) -> None:
        self._write(require_collection(collection), key, value)

    def del_private_data(self, collection: str, key: str) -> None:
        self.writes.data[(require_collection(collection), key)] = None

    def purge_private_data(self, collection: str, key: str) -> None:
        self.writes.purges.add((require_collection(collection), key))

    def get_private_data_hash(self, collection: str, key: str) -> bytes:
        value = self.get_private_data(collection, key)
        return hashlib.sha256(value).digest() if value else b""

    # -- key-level endorsement ----------------------------------------------------------------
    def _get_metadata(self, collection: str, key: str) -> Mapping[str, bytes]:
        return self.ledger.metadata.get((collection, key), {})

    def _put_metadata(self, collection: str, key: str, metakey: str, value: bytes) -> None:
        self.writes.metadata.setdefault((collection, key), {})[metakey] = value

    # -- other chaincodes ----------------------------------------------------------------------
    def invoke_chaincode(
        self, chaincode_name: str, args: Sequence[bytes | str], channel: str = ""
    ) -> ChaincodeResponse:
        registered = self.ledger.chaincodes.get(chaincode_name)
        if registered is None:
            return ChaincodeResponse.error(f"chaincode {chaincode_name} not found")
        chaincode, ledger = registered
        function, *rest = list(args) or [""]
        nested = ledger.stub(
            function.decode() if isinstance(function, bytes) else function,
            *rest,
            identity=self._identity,
            transient=self._transient,
            tx_id=self._tx_id,
            timestamp=self._timestamp,
        )
        response = chaincode.invoke(nested)
        if response.ok:
            ledger.commit(nested)
        return response
