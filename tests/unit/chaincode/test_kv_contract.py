"""The kv contract (mirrored by the Node conformance chaincode) against the in-memory ledger."""

from __future__ import annotations

import hashlib
import json

import pytest
from gridledger_chaincode.contract import (
    Context,
    Contract,
    ContractError,
    ContractRouter,
    transaction,
)
from gridledger_chaincode.contracts import build_chaincode
from gridledger_chaincode.shim.policy import VALIDATION_PARAMETER, policy_msp_ids
from gridledger_chaincode.testing import InMemoryLedger, make_identity


@pytest.fixture
def chaincode() -> ContractRouter:
    return build_chaincode()


@pytest.fixture
def ledger() -> InMemoryLedger:
    return InMemoryLedger()


def test_put_get_delete(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    put = ledger.invoke(chaincode, "kv:Put", "k", "v1")
    assert (put.ok, put.payload) == (True, b"")
    assert put.event is not None and (put.event.name, put.event.payload) == ("Put", b"k")
    assert ledger.evaluate(chaincode, "kv:Get", "k").text == "v1"
    assert ledger.invoke(chaincode, "kv:Delete", "k").ok
    assert ledger.evaluate(chaincode, "kv:Get", "k").message == "key k does not exist"


def test_add_to(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    assert ledger.invoke(chaincode, "kv:AddTo", "n", "5").text == "5"
    assert ledger.invoke(chaincode, "kv:AddTo", "n", "-7").text == "-2"
    assert ledger.state["n"] == b"-2"
    assert (
        ledger.invoke(chaincode, "kv:AddTo", "n", "x").message
        == "amount 'x' is not a decimal integer"
    )


def test_range_and_pages(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    for index in range(5):
        assert ledger.invoke(chaincode, "kv:Put", f"a{index}", str(index)).ok
    assert ledger.invoke(chaincode, "kv:Put", "b0", "out").ok
    records = ledger.evaluate(chaincode, "kv:Range", "a1", "a4").json()
    assert records == [{"key": f"a{i}", "value": str(i)} for i in (1, 2, 3)]
    page = ledger.evaluate(chaincode, "kv:RangePage", "a", "b", "2", "").json()
    assert page == {
        "records": [{"key": "a0", "value": "0"}, {"key": "a1", "value": "1"}],
        "fetched": 2,
        "bookmark": "a2",
    }
    last = ledger.evaluate(chaincode, "kv:RangePage", "a", "b", "2", "a4").json()
    assert last == {"records": [{"key": "a4", "value": "4"}], "fetched": 1, "bookmark": ""}


def test_composite_keys(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    assert ledger.invoke(chaincode, "kv:PutComposite", "reading", "m1", "t1", "x").ok
    assert ledger.invoke(chaincode, "kv:PutComposite", "reading", "m1", "t2", "y").ok
    assert ledger.invoke(chaincode, "kv:PutComposite", "reading", "m10", "t1", "z").ok
    listed = ledger.evaluate(chaincode, "kv:ListComposite", "reading", "m1").json()
    assert listed == [
        {"key": "\x00reading\x00m1\x00t1\x00", "value": "x"},
        {"key": "\x00reading\x00m1\x00t2\x00", "value": "y"},
    ]
    # The JSON keeps U+0000 escaped, as JavaScript's JSON.stringify writes it.
    assert (
        b"\\u0000reading" in ledger.evaluate(chaincode, "kv:ListComposite", "reading", "m1").payload
    )


def test_history_newest_first(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    first = ledger.invoke(chaincode, "kv:Put", "h", "1")
    second = ledger.invoke(chaincode, "kv:Put", "h", "2")
    deleted = ledger.invoke(chaincode, "kv:Delete", "h")
    assert ledger.evaluate(chaincode, "kv:History", "h").json() == [
        {"txId": deleted.tx_id, "value": "", "isDelete": True},
        {"txId": second.tx_id, "value": "2", "isDelete": False},
        {"txId": first.tx_id, "value": "1", "isDelete": False},
    ]


def test_private_data(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    put = ledger.invoke(
        chaincode, "kv:PutPrivate", "operatorPrivate", "p", transient={"value": b"secret"}
    )
    assert put.ok, put.message
    assert ledger.private["operatorPrivate"]["p"] == b"secret"
    assert ledger.evaluate(chaincode, "kv:GetPrivate", "operatorPrivate", "p").text == "secret"
    digest = ledger.evaluate(chaincode, "kv:GetPrivateHash", "operatorPrivate", "p").text
    assert digest == hashlib.sha256(b"secret").hexdigest()
    assert ledger.invoke(chaincode, "kv:PurgePrivate", "operatorPrivate", "p").ok
    missing = ledger.evaluate(chaincode, "kv:GetPrivate", "operatorPrivate", "p")
    assert missing.message == "key p does not exist in collection operatorPrivate"


def test_private_queries_only_in_a_transaction_that_writes_nothing(
    chaincode: ContractRouter, ledger: InMemoryLedger
) -> None:
    for key in ("m-1", "m-2"):
        put = ledger.invoke(
            chaincode, "kv:PutPrivate", "operatorPrivate", key, transient={"value": b"v"}
        )
        assert put.ok
    listed = ledger.evaluate(chaincode, "kv:RangePrivate", "operatorPrivate", "m-", "m-~")
    assert [r["key"] for r in listed.json()] == ["m-1", "m-2"]
    for query_kind in ("range", "partial"):
        for order in ("query-first", "write-first"):
            refused = ledger.invoke(
                chaincode, "kv:PrivateQueryAndWrite", "operatorPrivate", "m-3", query_kind, order
            )
            assert not refused.ok
            assert refused.message.endswith(
                "unsuppored transaction. Transaction has already performed queries on pvt data. "
                "Writes are not allowed"
            )
    assert "m-3" not in ledger.private["operatorPrivate"]
    bad = ledger.invoke(chaincode, "kv:PrivateQueryAndWrite", "operatorPrivate", "k", "x", "y")
    assert bad.message == "query_kind must be range or partial, order query-first or write-first"


def test_set_key_policy(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    assert ledger.invoke(chaincode, "kv:SetKeyPolicy", "k", "ProsumerMSP, GridOperatorMSP").ok
    policy = ledger.metadata[("", "k")][VALIDATION_PARAMETER]
    assert policy_msp_ids(policy) == ["GridOperatorMSP", "ProsumerMSP"]
    empty = ledger.invoke(chaincode, "kv:SetKeyPolicy", "k", " , ")
    assert empty.message == "a key-level endorsement policy needs at least one MSP id"


def test_fail_noop_emit(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    failed = ledger.invoke(chaincode, "kv:Fail", "exactly this")
    assert (failed.response.status, failed.message) == (500, "exactly this")
    noop = ledger.invoke(chaincode, "kv:Noop")
    assert (noop.ok, noop.payload, noop.event) == (True, b"", None)
    emit = ledger.invoke(chaincode, "kv:Emit", "Tick", "payload")
    assert emit.event is not None and (emit.event.name, emit.event.payload) == ("Tick", b"payload")


def test_whoami(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    identity = make_identity("ProsumerMSP", "User1")
    answer = ledger.evaluate(chaincode, "kv:Whoami", identity=identity).json()
    assert answer == {"mspId": "ProsumerMSP", "id": identity.id}
    assert identity.id.startswith("x509::/C=US/O=prosumer.gridledger.local/OU=client/CN=User1::")


def test_nondeterministic_differs_between_runs(
    chaincode: ContractRouter, ledger: InMemoryLedger
) -> None:
    values = set()
    for _ in range(2):
        assert ledger.invoke(chaincode, "kv:Nondeterministic").ok
        values.add(ledger.state["nondeterministic"])
    assert len(values) == 2


def test_invoke_other(chaincode: ContractRouter, ledger: InMemoryLedger) -> None:
    other = InMemoryLedger()
    ledger.register_chaincode("kvnode", build_chaincode(), other)
    assert ledger.invoke(chaincode, "kv:InvokeOther", "kvnode", "kv:Put", "x", "1").ok
    assert other.state == {"x": b"1"}
    answer = ledger.invoke(chaincode, "kv:InvokeOther", "kvnode", "kv:Get", "x")
    assert answer.text == "1"
    failed = ledger.invoke(chaincode, "kv:InvokeOther", "kvnode", "kv:Fail", "nope")
    assert failed.message == "nope"


def test_failed_transaction_keeps_no_write(ledger: InMemoryLedger) -> None:
    class Partial(Contract):
        @transaction
        def write_then_fail(self, ctx: Context) -> None:
            ctx.stub.put_state("half", b"written")
            raise ContractError("refused")

    result = ledger.invoke(ContractRouter([Partial()]), "WriteThenFail")
    assert result.message == "refused"
    assert ledger.state == {}
    assert json.loads(ledger.evaluate(build_chaincode(), "kv:Range", "", "").payload) == []


@pytest.mark.parametrize(
    ("function", "args"),
    [
        ("kv:PutPrivate", ("k",)),
        ("kv:GetPrivate", ("k",)),
        ("kv:DeletePrivate", ("k",)),
        ("kv:PurgePrivate", ("k",)),
        ("kv:RangePrivate", ("a", "z")),
        ("kv:PrivateQueryAndWrite", ("k", "range", "query-first")),
    ],
)
def test_private_functions_refuse_meter_data_collections(
    chaincode: ContractRouter, ledger: InMemoryLedger, function: str, args: tuple[str, ...]
) -> None:
    """A household's meter data is read and written only through the energy contract's rules:
    the kv contract refuses every ``mdata_*`` collection, and writes nothing."""
    ledger.private.setdefault("mdata_ProsumerMSP", {})["k"] = b"12 Wh"
    answer = ledger.invoke(
        chaincode, function, "mdata_ProsumerMSP", *args, transient={"value": b"0 Wh"}
    )
    assert not answer.ok
    assert answer.message == (
        "collection mdata_ProsumerMSP holds households' meter data: the kv contract does not "
        "read or write it (use the energy contract)"
    )
    assert ledger.private["mdata_ProsumerMSP"] == {"k": b"12 Wh"}


def test_private_hash_of_a_meter_data_collection_stays_open(
    chaincode: ContractRouter, ledger: InMemoryLedger
) -> None:
    """Hashes are on every peer of the channel: ``GetPrivateHash`` answers them for ``mdata_*``."""
    ledger.private.setdefault("mdata_ProsumerMSP", {})["k"] = b"12 Wh"
    answer = ledger.evaluate(chaincode, "kv:GetPrivateHash", "mdata_ProsumerMSP", "k")
    assert answer.text == hashlib.sha256(b"12 Wh").hexdigest()
