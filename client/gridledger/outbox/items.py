"""What the outbox holds: a transaction request, its item's state, and give-up reports."""

from __future__ import annotations

import base64
import enum
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from gridledger.fabric.proposal import as_bytes, qualified_function_name


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _collections(
    collections: Mapping[str, Collection[str]] | None,
) -> Mapping[str, tuple[str, ...]] | None:
    """Collection name -> sorted member MSP ids, checked; ``None`` stays ``None``."""
    if collections is None:
        return None
    checked: dict[str, tuple[str, ...]] = {}
    for name, members in collections.items():
        if not name:
            raise ValueError("a private data collection needs a non-empty name")
        if isinstance(members, str):
            raise ValueError(f"the members of collection {name} are a list of MSP ids")
        if not members or any(not member for member in members):
            raise ValueError(f"collection {name} needs at least one member MSP id, none empty")
        checked[str(name)] = tuple(sorted({str(member) for member in members}))
    return MappingProxyType(dict(sorted(checked.items())))


@dataclass(frozen=True)
class TransactionRequest:
    """One chaincode transaction to submit: where, which function, which arguments.

    ``collections`` (collection name -> member MSP ids, ``None`` when not said) is what the
    client's private-data guard needs when ``transient`` data goes to named ``endorsing_orgs``
    (see ``gridledger.gateway.contract.check_transient_endorsers``). ``transient_erased``: the
    outbox dropped the transient values once the item was finished (see ``store``).
    """

    channel: str
    chaincode: str
    function: str
    args: tuple[bytes, ...] = ()
    contract: str = ""
    transient: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    endorsing_orgs: tuple[str, ...] = ()
    collections: Mapping[str, tuple[str, ...]] | None = None
    transient_erased: bool = False

    @classmethod
    def of(
        cls,
        channel: str,
        chaincode: str,
        function: str,
        args: Sequence[str | bytes] = (),
        *,
        contract: str = "",
        transient: Mapping[str, str | bytes] | None = None,
        endorsing_orgs: Sequence[str] = (),
        collections: Mapping[str, Collection[str]] | None = None,
    ) -> TransactionRequest:
        """Build a request from ``str | bytes`` arguments (strings are sent as UTF-8)."""
        for name, value in (("channel", channel), ("chaincode", chaincode), ("function", function)):
            if not value:
                raise ValueError(f"a transaction request needs a {name}")
        if isinstance(endorsing_orgs, str):
            raise ValueError("endorsing_orgs is a list of MSP ids, not one string")
        if any(not org for org in endorsing_orgs):
            raise ValueError("an endorsing organisation needs a non-empty MSP id")
        return cls(
            channel=channel,
            chaincode=chaincode,
            function=function,
            args=tuple(as_bytes(arg) for arg in args),
            contract=contract,
            transient=MappingProxyType({k: as_bytes(v) for k, v in (transient or {}).items()}),
            endorsing_orgs=tuple(endorsing_orgs),
            collections=_collections(collections),
        )

    @property
    def qualified_function(self) -> str:
        return qualified_function_name(self.contract, self.function)

    def to_json(self) -> str:
        document: dict[str, object] = {
            "channel": self.channel,
            "chaincode": self.chaincode,
            "contract": self.contract,
            "function": self.function,
            "args": [_b64(arg) for arg in self.args],
            "transient": {k: _b64(v) for k, v in sorted(self.transient.items())},
            "endorsingOrgs": list(self.endorsing_orgs),
        }
        if self.collections is not None:  # absent when not said: older items keep their print
            document["collections"] = {k: list(v) for k, v in sorted(self.collections.items())}
        if self.transient_erased:
            document["transientErased"] = True
        return json.dumps(document, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> TransactionRequest:
        document = json.loads(text)
        return cls(
            channel=str(document["channel"]),
            chaincode=str(document["chaincode"]),
            contract=str(document["contract"]),
            function=str(document["function"]),
            args=tuple(_unb64(arg) for arg in document["args"]),
            transient=MappingProxyType(
                {str(k): _unb64(v) for k, v in document["transient"].items()}
            ),
            endorsing_orgs=tuple(str(org) for org in document["endorsingOrgs"]),
            collections=_collections(document.get("collections")),
            transient_erased=bool(document.get("transientErased", False)),
        )

    def without_transient(self) -> TransactionRequest:
        """The same request with its transient values dropped (and that fact recorded)."""
        return replace(self, transient=MappingProxyType({}), transient_erased=True)

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON: two requests are the same item iff these match."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()


class ItemState(enum.StrEnum):
    PENDING = "pending"  # waiting for (another) attempt
    COMMITTED = "committed"  # a transaction for it committed as VALID
    FAILED = "failed"  # given up: see ``reason``


class AttemptOutcome(enum.StrEnum):
    IN_DOUBT = "in_doubt"  # sent for ordering, or about to be: may commit
    FAILED = "failed"  # certainly not committed (endorsement failed, orderer refused)
    VALID = "valid"
    INVALID = "invalid"  # committed with a validation code other than VALID
    LOST = "lost"  # looked up after the fact and not found: treated as never committed


@dataclass(frozen=True)
class OutboxItem:
    id: int
    idempotency_key: str
    request: TransactionRequest
    state: ItemState
    attempts: int  # transactions tried
    strikes: int  # attempts that count against the retry policy
    enqueued_at: float
    next_attempt_at: float
    last_error: str = ""
    transaction_id: str = ""  # the VALID transaction once committed
    block_number: int | None = None
    result: bytes | None = None
    reason: str = ""  # why it was given up
    finished_at: float | None = None


@dataclass(frozen=True)
class GiveUp:
    """A report of one item the outbox gave up on, and why."""

    item_id: int
    idempotency_key: str
    function: str
    reason: str
    attempts: int
    transaction_id: str
    at: float

    def __str__(self) -> str:
        tx = f" (last transaction {self.transaction_id})" if self.transaction_id else ""
        return (
            f"outbox item {self.item_id} [{self.idempotency_key}] {self.function}: gave up after "
            f"{self.attempts} attempt(s){tx}: {self.reason}"
        )
