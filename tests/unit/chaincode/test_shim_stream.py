"""The shim over a real in-process gRPC stream, with a fake peer on the other end."""

from __future__ import annotations

import json
import queue
from collections.abc import Callable

from chaincode_fake_peer import (
    CHAINCODE_ID,
    CHANNEL,
    FakeLedger,
    FakePeer,
    Msg,
    message,
    response_of,
    signed_proposal,
    transaction,
)
from fabric_protos.common import policies_pb2
from fabric_protos.msp import msp_principal_pb2
from fabric_protos.peer import chaincode_pb2, chaincode_shim_pb2
from gridledger_chaincode.contract import Context, Contract, ContractRouter
from gridledger_chaincode.contract import transaction as tx
from gridledger_chaincode.contracts import build_chaincode
from gridledger_chaincode.shim import ChaincodeStubError
from gridledger_chaincode.shim.messages import PeerCapabilities
from gridledger_chaincode.testing import make_identity

ConnectPeer = Callable[..., FakePeer]


class ProbeContract(Contract):
    """Contract code that does what the kv contract does not, to probe the shim."""

    name = "probe"

    @tx
    def catch_peer_error(self, ctx: Context, key: str) -> str:
        try:
            ctx.stub.get_state(key)
        except ChaincodeStubError as exc:
            return f"caught: {exc}"
        return "no error"

    @tx
    def divide(self, ctx: Context, value: int) -> int:
        return 100 // value

    @tx
    def first_of_range(self, ctx: Context, start: str, end: str) -> str:
        with ctx.stub.get_state_by_range(start, end) as results:
            return next(results).key

    @tx
    def put_many(self, ctx: Context, count: int, then_fail: bool) -> str:
        for index in range(count):
            ctx.stub.put_state(f"bulk{index:04d}", b"x")
        if then_fail:
            raise RuntimeError("failed after writing")
        return ""

    @tx
    def read_many(self, ctx: Context, count: int) -> list[str]:
        values = ctx.stub.get_multiple_states([f"k{i}" for i in range(count)])
        return [v.decode() for v in values]

    @tx
    def caller(self, ctx: Context) -> dict[str, object]:
        identity = ctx.client_identity
        return {
            "mspId": identity.msp_id,
            "role": identity.get_attribute_value("gridledger.role"),
            "time": ctx.stub.tx_timestamp.isoformat(),
            "channel": ctx.stub.channel_id,
            "txId": ctx.stub.tx_id,
        }


def probe_chaincode() -> ContractRouter:
    return ContractRouter([ProbeContract()])


# -- handshake and stream state -------------------------------------------------------------


def test_registers_with_chaincode_id_then_serves_transactions(start_server: Callable) -> None:
    server = start_server()
    peer = FakePeer(f"127.0.0.1:{server.port}")
    try:
        assert peer.handshake() == CHAINCODE_ID
        completed = FakeLedger().run(peer, transaction("tx1", "kv:Noop"))
        assert completed.txid == "tx1" and completed.channel_id == CHANNEL
        assert response_of(completed).status == 200
    finally:
        peer.close()


def test_keepalive_is_echoed(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    peer.send(message(Msg.KEEPALIVE))
    assert peer.recv().type == Msg.KEEPALIVE


def test_transaction_before_ready_is_refused_and_ends_the_stream(start_server: Callable) -> None:
    server = start_server()
    peer = FakePeer(f"127.0.0.1:{server.port}")
    try:
        assert peer.recv().type == Msg.REGISTER
        peer.send(message(Msg.REGISTERED))
        peer.send(transaction("early", "kv:Noop"))
        reply = peer.recv()
        assert reply.type == Msg.ERROR and reply.txid == "early"
        assert b"cannot handle message (TRANSACTION) while in state: established" in reply.payload
        assert peer.stream_ended()
    finally:
        peer.close()


# -- errors -----------------------------------------------------------------------------------


def test_peer_error_reply_raises_chaincode_stub_error(connect_peer: ConnectPeer) -> None:
    peer = connect_peer(probe_chaincode())
    ledger = FakeLedger(errors={"secret": "tx creator does not have read access"})
    completed = ledger.run(peer, transaction("tx1", "CatchPeerError", "secret"))
    assert response_of(completed).payload == b"caught: tx creator does not have read access"


def test_uncaught_peer_error_fails_the_transaction_with_the_peers_text(
    connect_peer: ConnectPeer,
) -> None:
    peer = connect_peer()
    ledger = FakeLedger(errors={"secret": "GET_STATE failed: no ledger context"})
    response = response_of(ledger.run(peer, transaction("tx1", "kv:Get", "secret")))
    assert (response.status, response.message) == (500, "GET_STATE failed: no ledger context")


def test_contract_error_reaches_the_peer_as_status_500_with_its_message(
    connect_peer: ConnectPeer,
) -> None:
    peer = connect_peer()
    response = response_of(FakeLedger().run(peer, transaction("tx1", "kv:Fail", "meter offline")))
    assert (response.status, response.message) == (500, "meter offline")


def test_any_exception_in_contract_code_is_a_500(connect_peer: ConnectPeer) -> None:
    peer = connect_peer(probe_chaincode())
    response = response_of(FakeLedger().run(peer, transaction("tx1", "Divide", "0")))
    assert (response.status, response.message) == (500, "integer division or modulo by zero")


def test_bad_argument_type_is_a_clear_error(connect_peer: ConnectPeer) -> None:
    peer = connect_peer(probe_chaincode())
    response = response_of(FakeLedger().run(peer, transaction("tx1", "Divide", "ten")))
    assert response.status == 500
    assert response.message == "argument value: expected an integer, got 'ten'"


def test_unknown_function_and_contract(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    ledger = FakeLedger()
    response = response_of(ledger.run(peer, transaction("tx1", "kv:Teleport")))
    assert (response.status, response.message) == (
        500,
        "Function Teleport not found in contract kv",
    )
    response = response_of(ledger.run(peer, transaction("tx2", "Teleport")))
    assert response.message == "Function Teleport not found in contract energy"
    response = response_of(ledger.run(peer, transaction("tx3", "billing:Settle")))
    assert response.message == "Contract not found with name billing"


# -- concurrency ------------------------------------------------------------------------------


def test_many_concurrent_transactions_on_one_stream(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    count = 24
    for index in range(count):
        peer.send(transaction(f"tx{index}", "kv:Get", f"key{index}"))
    # Every transaction is waiting for its GET_STATE at the same time...
    pending = [peer.recv() for _ in range(count)]
    assert all(m.type == Msg.GET_STATE for m in pending)
    assert sorted(m.txid for m in pending) == sorted(f"tx{i}" for i in range(count))
    # ...and each gets its own answer, even when answers come back in another order.
    for request in reversed(pending):
        key = chaincode_shim_pb2.GetState.FromString(request.payload).key
        peer.send(message(Msg.RESPONSE, request.txid, f"value-of-{key}".encode()))
    results = {}
    for _ in range(count):
        completed = peer.recv()
        results[completed.txid] = response_of(completed).payload.decode()
    assert results == {f"tx{i}": f"value-of-key{i}" for i in range(count)}


def test_same_tx_id_on_two_channels_are_separate_transactions(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    for channel in ("energy", "audit"):
        first = transaction("same", "kv:Get", "k")
        first.channel_id = channel
        peer.send(first)
    requests = [peer.recv(), peer.recv()]
    assert {r.channel_id for r in requests} == {"energy", "audit"}
    for request in requests:
        peer.send(message(Msg.RESPONSE, "same", request.channel_id.encode(), request.channel_id))
    answers = {}
    for _ in range(2):
        completed = peer.recv()
        answers[completed.channel_id] = response_of(completed).payload
    assert answers == {"energy": b"energy", "audit": b"audit"}


# -- queries ----------------------------------------------------------------------------------


def test_range_query_fetches_every_batch(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    ledger = FakeLedger(state={f"r{i:02d}": f"v{i}".encode() for i in range(10)}, batch_size=3)
    ledger.state["s00"] = b"outside"
    response = response_of(ledger.run(peer, transaction("tx1", "kv:Range", "r", "s")))
    records = json.loads(response.payload)
    assert [r["key"] for r in records] == [f"r{i:02d}" for i in range(10)]
    assert records[3] == {"key": "r03", "value": "v3"}
    assert len(ledger.requests_of(Msg.QUERY_STATE_NEXT)) == 3
    assert ledger.requests_of(Msg.QUERY_STATE_CLOSE) == []  # the peer closed it itself


def test_range_query_pagination_with_bookmark(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    ledger = FakeLedger(state={f"p{i}": str(i).encode() for i in range(7)})
    pages = []
    bookmark = ""
    for page in range(3):
        request = transaction(f"tx{page}", "kv:RangePage", "p", "q", "3", bookmark)
        pages.append(json.loads(response_of(ledger.run(peer, request)).payload))
        bookmark = pages[-1]["bookmark"]
    assert [[r["key"] for r in p["records"]] for p in pages] == [
        ["p0", "p1", "p2"],
        ["p3", "p4", "p5"],
        ["p6"],
    ]
    assert [p["fetched"] for p in pages] == [3, 3, 1]
    assert [p["bookmark"] for p in pages] == ["p3", "p6", ""]
    metadata = chaincode_shim_pb2.QueryMetadata.FromString(
        chaincode_shim_pb2.GetStateByRange.FromString(
            ledger.requests_of(Msg.GET_STATE_BY_RANGE)[1].payload
        ).metadata
    )
    assert (metadata.pageSize, metadata.bookmark) == (3, "p3")


def test_closing_an_unfinished_range_query_tells_the_peer(connect_peer: ConnectPeer) -> None:
    peer = connect_peer(probe_chaincode())
    ledger = FakeLedger(state={f"c{i}": b"v" for i in range(6)}, batch_size=2)
    response = response_of(ledger.run(peer, transaction("tx1", "FirstOfRange", "c", "d")))
    assert response.payload == b"c0"
    closes = ledger.requests_of(Msg.QUERY_STATE_CLOSE)
    assert [chaincode_shim_pb2.QueryStateClose.FromString(c.payload).id for c in closes] == ["it1"]


def test_partial_composite_key_query(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    ledger = FakeLedger()
    ledger.run(peer, transaction("tx1", "kv:PutComposite", "reading", "m1", "t1", "a"))
    key = ledger.writes[0][2]
    assert key == "\x00reading\x00m1\x00t1\x00"
    ledger.state[key] = b"a"
    ledger.state["\x00reading\x00m2\x00t1\x00"] = b"other meter"
    response = response_of(
        ledger.run(peer, transaction("tx2", "kv:ListComposite", "reading", "m1"))
    )
    assert json.loads(response.payload) == [{"key": key, "value": "a"}]
    query = chaincode_shim_pb2.GetStateByRange.FromString(
        ledger.requests_of(Msg.GET_STATE_BY_RANGE)[0].payload
    )
    assert (query.startKey, query.endKey) == (
        "\x00reading\x00m1\x00",
        "\x00reading\x00m1\x00\U0010ffff",
    )


def test_history_newest_first(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    ledger = FakeLedger(batch_size=2)
    ledger.history["h"] = [("t1", b"one", False), ("t2", b"two", False), ("t3", b"", True)]
    response = response_of(ledger.run(peer, transaction("tx1", "kv:History", "h")))
    assert json.loads(response.payload) == [
        {"txId": "t3", "value": "", "isDelete": True},
        {"txId": "t2", "value": "two", "isDelete": False},
        {"txId": "t1", "value": "one", "isDelete": False},
    ]


# -- private data, metadata, events, identity, other chaincodes -------------------------------


def test_private_data_from_the_transient_map(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    ledger = FakeLedger()
    proposal = signed_proposal(make_identity(), "tx1", transient={"value": b"tariff-42"})
    put = transaction("tx1", "kv:PutPrivate", "operatorPrivate", "t", proposal=proposal)
    assert response_of(ledger.run(peer, put)).status == 200
    assert ledger.writes == [("put", "operatorPrivate", "t", b"tariff-42")]
    ledger.private["operatorPrivate"] = {"t": b"tariff-42"}
    get = transaction("tx2", "kv:GetPrivate", "operatorPrivate", "t")
    assert response_of(ledger.run(peer, get)).payload == b"tariff-42"
    digest = transaction("tx3", "kv:GetPrivateHash", "operatorPrivate", "t")
    import hashlib

    expected = hashlib.sha256(b"tariff-42").hexdigest().encode()
    assert response_of(ledger.run(peer, digest)).payload == expected
    ledger.run(peer, transaction("tx4", "kv:PurgePrivate", "operatorPrivate", "t"))
    ledger.run(peer, transaction("tx5", "kv:DeletePrivate", "operatorPrivate", "t"))
    assert ledger.writes[1:] == [
        ("purge", "operatorPrivate", "t", b""),
        ("del", "operatorPrivate", "t", b""),
    ]
    missing = transaction("tx6", "kv:PutPrivate", "operatorPrivate", "t")
    assert response_of(ledger.run(peer, missing)).message == 'transient field "value" is missing'


def test_key_level_endorsement_policy(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    ledger = FakeLedger()
    request = transaction("tx1", "kv:SetKeyPolicy", "k", "ProsumerMSP,GridOperatorMSP")
    assert response_of(ledger.run(peer, request)).status == 200
    (write,) = ledger.writes
    request_message = ledger.requests_of(Msg.PUT_STATE_METADATA)[0]
    metadata = chaincode_shim_pb2.PutStateMetadata.FromString(request_message.payload)
    assert (metadata.key, metadata.metadata.metakey) == ("k", "VALIDATION_PARAMETER")
    envelope = policies_pb2.SignaturePolicyEnvelope.FromString(write[3])
    roles = [msp_principal_pb2.MSPRole.FromString(p.principal) for p in envelope.identities]
    assert [(r.msp_identifier, r.role) for r in roles] == [
        ("GridOperatorMSP", msp_principal_pb2.MSPRole.PEER),
        ("ProsumerMSP", msp_principal_pb2.MSPRole.PEER),
    ]
    assert envelope.rule.n_out_of.n == 2
    assert [r.signed_by for r in envelope.rule.n_out_of.rules] == [0, 1]


def test_chaincode_event_travels_in_completed(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    completed = FakeLedger().run(peer, transaction("tx1", "kv:Emit", "MeterTampered", "m-7"))
    assert completed.chaincode_event.event_name == "MeterTampered"
    assert completed.chaincode_event.payload == b"m-7"
    completed = FakeLedger().run(peer, transaction("tx2", "kv:Noop"))
    assert not completed.HasField("chaincode_event")


def test_caller_identity_and_proposal_fields(connect_peer: ConnectPeer) -> None:
    peer = connect_peer(probe_chaincode())
    identity = make_identity("ProsumerMSP", "alice", attributes={"gridledger.role": "prosumer"})
    proposal = signed_proposal(identity, "tx9")
    completed = FakeLedger().run(peer, transaction("tx9", "Caller", proposal=proposal))
    assert json.loads(response_of(completed).payload) == {
        "mspId": "ProsumerMSP",
        "role": "prosumer",
        "time": "2025-03-01T12:00:00+00:00",
        "channel": "energy",
        "txId": "tx9",
    }


def test_whoami_gives_the_fabric_shim_id_string(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    identity = make_identity("ProsumerMSP", "alice")
    whoami = transaction("tx10", "kv:Whoami", proposal=signed_proposal(identity, "tx10"))
    answer = json.loads(response_of(FakeLedger().run(peer, whoami)).payload)
    assert answer == {
        "mspId": "ProsumerMSP",
        "id": "x509::/C=US/O=prosumer.gridledger.local/OU=client/CN=alice"
        "::/C=US/O=prosumer.gridledger.local/CN=ca.prosumer.gridledger.local",
    }


def test_invoke_other_chaincode(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    ledger = FakeLedger()
    request = transaction("tx1", "kv:InvokeOther", "tariffs", "Get", "peak", "2025")
    assert response_of(ledger.run(peer, request)).payload == b"tariffs:Get,peak,2025"
    spec = chaincode_pb2.ChaincodeSpec.FromString(
        ledger.requests_of(Msg.INVOKE_CHAINCODE)[0].payload
    )
    assert spec.chaincode_id.name == "tariffs"


def test_init_runs_like_a_transaction(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    completed = FakeLedger().run(peer, transaction("tx1", "kv:Put", "a", "1", init=True))
    assert response_of(completed).status == 200
    completed = FakeLedger().run(peer, message(Msg.INIT, "tx2", b""))
    assert response_of(completed).payload == b"Default initiator successful."


def test_get_metadata(connect_peer: ConnectPeer) -> None:
    peer = connect_peer()
    request = transaction("tx1", "org.hyperledger.fabric:GetMetadata")
    metadata = json.loads(response_of(FakeLedger().run(peer, request)).payload)
    assert set(metadata["contracts"]) == {"energy", "kv", "org.hyperledger.fabric"}
    assert metadata["contracts"]["energy"]["contractInstance"] == {
        "name": "energy",
        "default": True,
    }
    register = {t["name"]: t for t in metadata["contracts"]["energy"]["transactions"]}[
        "RegisterMeter"
    ]
    assert register["tag"] == ["SUBMIT", "submitTx"]
    assert [p["name"] for p in register["parameters"]] == [
        "meterId",
        "owner",
        "kind",
        "source",
        "zone",
        "publicKeyPem",
        "options",  # optional (variadic): interval minutes (15 when not given), custodians
    ]
    kv_get = {t["name"]: t for t in metadata["contracts"]["kv"]["transactions"]}["Get"]
    assert kv_get["tag"] == ["EVALUATE"]


# -- capabilities the peer offers in READY ----------------------------------------------------

BATCHING = PeerCapabilities(
    use_write_batch=True,
    max_size_write_batch=100,
    use_get_multiple_keys=True,
    max_size_get_multiple_keys=100,
)


def test_writes_are_batched_at_the_end_when_the_peer_offers_it(connect_peer: ConnectPeer) -> None:
    peer = connect_peer(probe_chaincode(), BATCHING)
    ledger = FakeLedger()
    completed = ledger.run(peer, transaction("tx1", "PutMany", "250", "false"))
    assert response_of(completed).status == 200
    assert ledger.requests_of(Msg.PUT_STATE) == []
    batches = ledger.requests_of(Msg.WRITE_BATCH_STATE)
    sizes = [len(chaincode_shim_pb2.WriteBatchState.FromString(b.payload).rec) for b in batches]
    assert sizes == [100, 100, 50]
    assert [w[2] for w in ledger.writes] == [f"bulk{i:04d}" for i in range(250)]


def test_a_failed_transaction_sends_no_batch(connect_peer: ConnectPeer) -> None:
    peer = connect_peer(probe_chaincode(), BATCHING)
    ledger = FakeLedger()
    response = response_of(ledger.run(peer, transaction("tx1", "PutMany", "5", "true")))
    assert (response.status, response.message) == (500, "failed after writing")
    assert ledger.requests_of(Msg.WRITE_BATCH_STATE) == []


def test_batched_kv_put_and_event(connect_peer: ConnectPeer) -> None:
    peer = connect_peer(build_chaincode(), BATCHING)
    ledger = FakeLedger()
    completed = ledger.run(peer, transaction("tx1", "kv:Put", "meter-1", "42"))
    assert ledger.writes == [("put", "", "meter-1", b"42")]
    assert completed.chaincode_event.event_name == "Put"


def test_get_state_multiple_when_offered(connect_peer: ConnectPeer) -> None:
    peer = connect_peer(probe_chaincode(), BATCHING)
    ledger = FakeLedger(state={f"k{i}": f"v{i}".encode() for i in range(3)})
    response = response_of(ledger.run(peer, transaction("tx1", "ReadMany", "4")))
    assert json.loads(response.payload) == ["v0", "v1", "v2", ""]
    assert len(ledger.requests_of(Msg.GET_STATE_MULTIPLE)) == 1
    assert ledger.requests_of(Msg.GET_STATE) == []


def test_get_state_one_by_one_when_not_offered(connect_peer: ConnectPeer) -> None:
    peer = connect_peer(probe_chaincode())
    ledger = FakeLedger(state={"k0": b"v0"})
    response = response_of(ledger.run(peer, transaction("tx1", "ReadMany", "2")))
    assert json.loads(response.payload) == ["v0", ""]
    assert len(ledger.requests_of(Msg.GET_STATE)) == 2


# -- the stream going away --------------------------------------------------------------------


class WaitingContract(Contract):
    """Reports what its stub call raised when the peer vanished mid-transaction."""

    name = "waiting"
    outcomes: queue.SimpleQueue[str] = queue.SimpleQueue()

    @tx
    def wait_for_peer(self, ctx: Context) -> str:
        try:
            ctx.stub.get_state("never-answered")
        except ChaincodeStubError as exc:
            self.outcomes.put(f"{type(exc).__name__}: {exc}")
            raise
        return ""


def test_peer_leaving_mid_transaction_fails_the_stub_call(start_server: Callable) -> None:
    server = start_server(ContractRouter([WaitingContract()]))
    peer = FakePeer(f"127.0.0.1:{server.port}")
    peer.handshake()
    peer.send(transaction("tx1", "WaitForPeer"))
    assert peer.recv().type == Msg.GET_STATE
    peer.close()
    outcome = WaitingContract.outcomes.get(timeout=20)
    assert outcome == "ChaincodeStubError: the stream to the peer closed before it answered"
