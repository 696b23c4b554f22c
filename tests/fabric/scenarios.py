"""What a client observes in the situations issue 8 lists, on whichever network it talks to.

Each scenario returns an ``Observation``: plain data (error class, gRPC code, normalised message,
which orgs' details say what, validation codes, event facts), equal on two backends exactly
when a client could not tell them apart. ``compare_backends`` runs them on the devnet and on
real Fabric; ``test_fabric_answers`` pins Fabric's answers.
"""

from __future__ import annotations

import functools
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridledger.gateway import CommitError, GatewayError
from gridledger.gateway import requests as gateway_requests

Observation = dict[str, Any]
ANSWERS = Path(__file__).with_name("fabric_3.1.5_answers.json")  # recorded on Fabric 3.1.5

OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"
_TXID = re.compile(r"\b[0-9a-f]{64}\b")
_ADDR = re.compile(r"(127\.0\.0\.1|localhost):\d+")
_PKG = re.compile(r"\b(\w+)_1\.0:[0-9a-z]+\b")
_BLOCKNUM = re.compile(r"BlockNum: \d+")
BAD_SIGNATURE = b"\x30\x06\x02\x01\x01\x02\x01\x01"  # well-formed DER (r=1, s=1), signs nothing


@dataclass
class ScenarioContext:
    profile: Any  # gridledger.profile.ConnectionProfile
    channel: str
    chaincode: str
    scratch: Path

    def key(self, name: str) -> str:
        return f"probe-{name}-{uuid.uuid4().hex[:8]}"


def normalise(text: str, *keys: str) -> str:
    for key in keys:
        text = text.replace(key, "<key>")
    text = _TXID.sub("<txid>", text)
    text = _ADDR.sub("<addr>", text)
    text = _BLOCKNUM.sub("BlockNum: <n>", text)
    return _PKG.sub(r"\1:<package>", text)


def observe_error(err: BaseException, *keys: str) -> Observation:
    if not isinstance(err, GatewayError):
        return {"error": type(err).__name__, "message": normalise(str(err), *keys)}
    observed: Observation = {
        "error": type(err).__name__,
        "grpc": err.grpc_code_name,
        "message": normalise(err.message, *keys),
        "details": sorted([d.msp_id, normalise(d.message, *keys)] for d in err.details),
    }
    if isinstance(err, CommitError):
        observed["validation"] = _code_name(err.code)
    return observed


def attempt(action: Callable[[], Any], *keys: str) -> Observation:
    try:
        result = action()
    except Exception as err:
        return observe_error(err, *keys)
    if isinstance(result, bytes):
        return {"ok": normalise(result.decode(errors="replace"), *keys)}
    return {"ok": normalise(repr(result), *keys)}


def _kv(ctx: ScenarioContext, gateway: Any, chaincode: str | None = None) -> Any:
    return gateway.network(ctx.channel).contract(chaincode or ctx.chaincode, "kv")


def _commit(gateway: Any, signing: Any, channel: str, tx_id: str) -> Any:
    """A commit-status request for ``tx_id`` on ``channel``, signed by ``signing``."""
    request = gateway_requests.commit_status_request(signing, channel, tx_id)
    return gateway.new_commit(bytes(request.SerializeToString()))


# -- scenarios -------------------------------------------------------------------------------


def chaincode_error_at_submit(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        return attempt(lambda: _kv(ctx, gateway).submit("Fail", "meter offline"))


def chaincode_error_at_evaluate(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        return attempt(lambda: _kv(ctx, gateway).evaluate("Fail", "meter offline"))


def unknown_function_submit(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        return attempt(lambda: _kv(ctx, gateway).submit("NoSuchFunction"))


def unknown_function_evaluate(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        return attempt(lambda: _kv(ctx, gateway).evaluate("NoSuchFunction"))


def unknown_chaincode_submit(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        return attempt(lambda: _kv(ctx, gateway, "nosuchchaincode").submit("Noop"))


def unknown_chaincode_evaluate(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        return attempt(lambda: _kv(ctx, gateway, "nosuchchaincode").evaluate("Noop"))


def unknown_channel_submit(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        contract = gateway.network("nosuchchannel").contract(ctx.chaincode, "kv")
        return attempt(lambda: contract.submit("Noop"))


def unknown_channel_evaluate(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        contract = gateway.network("nosuchchannel").contract(ctx.chaincode, "kv")
        return attempt(lambda: contract.evaluate("Noop"))


def concurrent_read_modify_writes(ctx: ScenarioContext) -> Observation:
    key = ctx.key("rmw")
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        kv.submit("Put", key, "0")
        endorsed = [kv.new_proposal("AddTo", args=[key, "1"]).endorse() for _ in range(2)]
        submitted = [t.submit() for t in endorsed]
        codes = sorted(s.status().code_name for s in submitted)
        value = kv.evaluate("Get", key).decode()
    return {"codes": codes, "value": value}


def endorsed_by_one_org_only(ctx: ScenarioContext) -> Observation:
    key = ctx.key("one-org")
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        proposal = kv.new_proposal("Put", args=[key, "x"], endorsing_orgs=[OPERATOR])
        status = proposal.endorse().submit().status()
        stored = attempt(lambda: kv.evaluate("Get", key), key)
    return {"code": status.code_name, "read_back": stored}


def commit_status_of_unsubmitted_transaction(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        proposal = _kv(ctx, gateway).new_proposal("Noop")
        commit = _commit(gateway, proposal._signing, ctx.channel, proposal.transaction_id)
        return attempt(lambda: commit.status(timeout=3.0))


def same_signed_transaction_twice(ctx: ScenarioContext) -> Observation:
    key = ctx.key("twice")
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        transaction = kv.new_proposal("Put", args=[key, "once"]).endorse()
        first = transaction.submit().status()
        again = gateway.new_transaction(transaction.bytes())
        second = attempt(lambda: again.submit().status(timeout=10.0).code_name)
        after = _second_status(gateway, ctx, transaction.transaction_id, first.block_number)
        return {"first": first.code_name, "second": second, **after}


def _second_status(gateway: Any, ctx: ScenarioContext, tx_id: str, block: int) -> Observation:
    """After a resubmission: what commit status says now and what the filtered blocks show."""
    status = _commit(gateway, gateway._context.signing, ctx.channel, tx_id).status(timeout=5.0)
    codes: list[str] = []
    events = gateway.network(ctx.channel).filtered_block_events(start_block=block)
    seen = threading.Event()

    def collect() -> None:
        for filtered in events:
            for tx in filtered.filtered_transactions:
                if tx.txid == tx_id:
                    codes.append(_code_name(tx.tx_validation_code))
            if len(codes) >= 2:
                break
        seen.set()

    worker = threading.Thread(target=collect, daemon=True)
    worker.start()
    seen.wait(5.0)
    events.close()
    return {
        "status_after": status.code_name,
        "status_block_is_first": status.block_number == block,
        "filtered_codes_for_txid": codes,
    }


def _code_name(code: int) -> str:
    from gridledger.gateway.errors import validation_code_name

    return validation_code_name(int(code))


def identity_from_foreign_ca(ctx: ScenarioContext) -> Observation:
    from gridledger_network.devnet.crypto.certificates import issue_ca, issue_identity

    folder = ctx.scratch / "foreign-msp"
    if not (folder / "signcerts" / "cert.pem").exists():
        ca = issue_ca("ca.rogue.example", "rogue.example")
        _write_msp(folder, ca, issue_identity(ca, "User1@rogue.example", "client"))
    return _noop_as(ctx, folder)


def altered_proposal_signature(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        proposal = _kv(ctx, gateway).new_proposal("Noop")
        bad = gateway.new_signed_proposal(proposal.bytes(), BAD_SIGNATURE)
        return {
            "evaluate": attempt(lambda: bad.evaluate()),
            "endorse": attempt(lambda: bad.endorse()),
        }


def altered_transaction_signature(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        transaction = _kv(ctx, gateway).new_proposal("Put", args=[ctx.key("sig"), "v"]).endorse()
        forged = gateway.new_signed_transaction(transaction.bytes(), BAD_SIGNATURE)
        return attempt(lambda: forged.submit().status(timeout=10.0))


def altered_endorsed_payload(ctx: ScenarioContext) -> Observation:
    """The endorsed response payload changed after endorsement, then signed by the client."""
    from fabric_protos.common import common_pb2
    from fabric_protos.peer import proposal_response_pb2, transaction_pb2

    key = ctx.key("tamper")
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        transaction = kv.new_proposal("Put", args=[key, "honest"]).endorse()
        prepared = gateway_requests.parse_prepared_transaction(transaction.bytes())
        payload = common_pb2.Payload.FromString(prepared.envelope.payload)
        tx = transaction_pb2.Transaction.FromString(payload.data)
        action = transaction_pb2.ChaincodeActionPayload.FromString(tx.actions[0].payload)
        response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(
            action.action.proposal_response_payload
        )
        response_payload.extension = response_payload.extension.replace(b"honest", b"forged")
        action.action.proposal_response_payload = response_payload.SerializeToString()
        tx.actions[0].payload = action.SerializeToString()
        payload.data = tx.SerializeToString()
        prepared.envelope.payload = payload.SerializeToString()
        prepared.envelope.signature = b""
        tampered = gateway.new_transaction(prepared.SerializeToString())
        outcome = attempt(lambda: tampered.submit().status(timeout=10.0).code_name, key)
        return {"commit": outcome, "read_back": attempt(lambda: kv.evaluate("Get", key), key)}


def chaincode_event_order_and_replay(ctx: ScenarioContext) -> Observation:
    """Two events in two blocks, read by a listener from block 0: order and block numbers."""
    name = ctx.key("evt")
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        first = kv.new_proposal("Emit", args=[name, "one"]).endorse().submit().status()
        second = kv.new_proposal("Emit", args=[name, "two"]).endorse().submit().status()
        seen: list[tuple[str, int]] = []
        events = gateway.network(ctx.channel).chaincode_events(ctx.chaincode, start_block=0)
        try:
            for event in events:
                if event.event_name == name:
                    seen.append((event.payload.decode(), event.block_number))
                if len(seen) == 2:
                    break
        finally:
            events.close()
    return {
        "payloads": [p for p, _ in seen],
        "blocks_match_commit": [b for _, b in seen] == [first.block_number, second.block_number],
    }


def block_event_metadata(ctx: ScenarioContext) -> Observation:
    """The committed block as a block listener sees it: endorsers, filter, commit hash."""
    from fabric_protos.common import common_pb2
    from fabric_protos.msp import identities_pb2
    from fabric_protos.peer import transaction_pb2

    with ctx.profile.connect(OPERATOR) as gateway:
        status = (
            _kv(ctx, gateway)
            .new_proposal("Put", args=[ctx.key("blk"), "v"])
            .endorse()
            .submit()
            .status()
        )
        blocks = gateway.network(ctx.channel).block_events(start_block=status.block_number)
        try:
            block = next(iter(blocks))
        finally:
            blocks.close()
    envelope = common_pb2.Envelope.FromString(block.data.data[0])
    payload = common_pb2.Payload.FromString(envelope.payload)
    tx = transaction_pb2.Transaction.FromString(payload.data)
    action = transaction_pb2.ChaincodeActionPayload.FromString(tx.actions[0].payload)
    endorsers = sorted(
        identities_pb2.SerializedIdentity.FromString(e.endorser).mspid
        for e in action.action.endorsements
    )
    metadata = list(block.metadata.metadata)
    return {
        "transactions": len(block.data.data),
        "endorsers": endorsers,
        "metadata_entries": len(metadata),
        "transactions_filter": list(metadata[2]) if len(metadata) > 2 else None,
        "commit_hash_present": len(metadata) > 4 and len(metadata[4]) > 0,
        "signatures_present": len(metadata[0]) > 0,
    }


def _first_from_stream(stream: Any, timeout: float = 3.0) -> Observation:
    """The first item of an event stream, its error, or ``no event`` after ``timeout``."""
    box: list[Observation] = []

    def read() -> None:
        try:
            item = next(iter(stream))
            box.append({"event": type(item).__name__})
        except StopIteration:
            box.append({"ended": True})
        except Exception as err:
            box.append(observe_error(err))

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(timeout)
    stream.close()
    worker.join(2.0)
    return box[0] if box else {"no_event_within_s": timeout}


def block_zero(ctx: ScenarioContext) -> Observation:
    """Block 0 and 1 as a block listener sees them (genesis config; then lifecycle on Fabric)."""
    from fabric_protos.common import common_pb2

    kinds: list[list[Any]] = []
    with ctx.profile.connect(OPERATOR) as gateway:
        blocks = gateway.network(ctx.channel).block_events(start_block=0)
        try:
            for block in blocks:
                types = []
                for data in block.data.data:
                    payload = common_pb2.Payload.FromString(
                        common_pb2.Envelope.FromString(data).payload
                    )
                    header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
                    types.append(common_pb2.HeaderType.Name(header.type))
                kinds.append([block.header.number, types, len(block.metadata.metadata)])
                if len(kinds) == 2:
                    break
        finally:
            blocks.close()
    return {"first_blocks": kinds}


def _private_write(ctx: ScenarioContext, org: str, key: str) -> Observation:
    """A private write to the operator's collection through ``org``, endorsers by default."""
    with ctx.profile.connect(org) as gateway:
        kv = _kv(ctx, gateway)
        return attempt(
            lambda: kv.submit("PutPrivate", "operatorPrivate", key, transient={"value": b"s"}),
            key,
        )


def private_write_default_endorsers(ctx: ScenarioContext) -> Observation:
    return _private_write(ctx, OPERATOR, ctx.key("pvt"))


def private_write_explicit_endorsers(ctx: ScenarioContext) -> Observation:
    """Transient data with a named non-member endorser: our client refuses, nothing is sent."""
    key = ctx.key("pvt")
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)

        def put(collections: Any) -> Callable[[], Any]:
            return lambda: kv.submit(
                "PutPrivate",
                "operatorPrivate",
                key,
                transient={"value": b"secret"},
                endorsing_orgs=[OPERATOR, PROSUMER],
                collections=collections,
            )

        outcome = attempt(put({"operatorPrivate": [OPERATOR]}), key)
        undeclared = attempt(put(None), key)
        read = attempt(lambda: kv.evaluate("GetPrivate", "operatorPrivate", key), key)
    with ctx.profile.connect(PROSUMER) as gateway:
        other = attempt(
            lambda: _kv(ctx, gateway).evaluate("GetPrivate", "operatorPrivate", key), key
        )
    return {
        "submit": outcome,
        "submit_without_collections": undeclared,
        "member_read": read,
        "non_member_read": other,
    }


ENDORSED = "operatorEndorsed"  # members: the operator; own endorsement policy: its peer alone
ENDORSED_MEMBERS = {ENDORSED: [OPERATOR]}


def _put_endorsed(kv: Any, key: str, value: bytes, **kwargs: Any) -> Any:
    """A private write to ``operatorEndorsed``, endorsed by its member (named)."""
    return (
        kv.new_proposal(
            "PutPrivate",
            args=[ENDORSED, key],
            transient={"value": value},
            endorsing_orgs=[OPERATOR],
            collections=ENDORSED_MEMBERS,
            **kwargs,
        )
        .endorse()
        .submit()
        .status()
    )


def private_data_hash_on_a_non_member(ctx: ScenarioContext) -> Observation:
    """GetPrivateDataHash: the member and a non-member's peer both answer the value's hash."""
    import hashlib

    key = ctx.key("hash")
    value = f"reading-{key}".encode()
    digest = hashlib.sha256(value).hexdigest()
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        status = _put_endorsed(kv, key, value)
        member = attempt(lambda: kv.evaluate("GetPrivateHash", ENDORSED, key).decode() == digest)
        missing = attempt(lambda: kv.evaluate("GetPrivateHash", ENDORSED, key + "-none"), key)
    with ctx.profile.connect(PROSUMER) as gateway:
        other = _kv(ctx, gateway)
        non_member = attempt(
            lambda: other.evaluate("GetPrivateHash", ENDORSED, key).decode() == digest
        )
        non_member_read = attempt(lambda: other.evaluate("GetPrivate", ENDORSED, key), key)
    return {
        "write": status.code_name,
        "member_hash_matches": member,
        "unknown_key": missing,
        "non_member_hash_matches": non_member,
        "non_member_read": non_member_read,
    }


def _hashed_writes(block: Any, tx_id: str) -> list[list[Any]]:
    """[collection, is_delete, is_purge, value hash present] of each hashed write of ``tx_id``."""
    from fabric_protos.common import common_pb2
    from fabric_protos.ledger.rwset import rwset_pb2
    from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
    from fabric_protos.peer import proposal_response_pb2, transaction_pb2

    found: list[list[Any]] = []
    for data in block.data.data:
        payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(data).payload)
        header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        if header.tx_id != tx_id:
            continue
        tx = transaction_pb2.Transaction.FromString(payload.data)
        action = transaction_pb2.ChaincodeActionPayload.FromString(tx.actions[0].payload)
        response = proposal_response_pb2.ProposalResponsePayload.FromString(
            action.action.proposal_response_payload
        )
        cc_action = proposal_pb2_action(response.extension)
        rwset = rwset_pb2.TxReadWriteSet.FromString(cc_action.results)
        for ns in rwset.ns_rwset:
            for coll in ns.collection_hashed_rwset:
                hashed = kv_rwset_pb2.HashedRWSet.FromString(coll.hashed_rwset)
                found += [
                    [coll.collection_name, w.is_delete, w.is_purge, bool(w.value_hash)]
                    for w in hashed.hashed_writes
                ]
    return found


def proposal_pb2_action(extension: bytes) -> Any:
    from fabric_protos.peer import proposal_pb2

    return proposal_pb2.ChaincodeAction.FromString(extension)


def _block(gateway: Any, ctx: ScenarioContext, number: int) -> Any:
    blocks = gateway.network(ctx.channel).block_events(start_block=number)
    try:
        return next(iter(blocks))
    finally:
        blocks.close()


def purge_private_data(ctx: ScenarioContext) -> Observation:
    """PurgePrivateData (V2_5): value and state hash gone on the member and the non-member; the
    block keeps a purge marker (a hashed delete with is_purge)."""
    key = ctx.key("purge")
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        written = _put_endorsed(kv, key, b"erase me")
        before = attempt(lambda: kv.evaluate("GetPrivate", ENDORSED, key), key)
        purge = kv.new_proposal("PurgePrivate", args=[ENDORSED, key], endorsing_orgs=[OPERATOR])
        purged = purge.endorse().submit().status()
        marker = _hashed_writes(_block(gateway, ctx, purged.block_number), purge.transaction_id)
        member_read = attempt(lambda: kv.evaluate("GetPrivate", ENDORSED, key), key)
        member_hash = attempt(lambda: kv.evaluate("GetPrivateHash", ENDORSED, key), key)
    with ctx.profile.connect(PROSUMER) as gateway:
        non_member_hash = attempt(
            lambda: _kv(ctx, gateway).evaluate("GetPrivateHash", ENDORSED, key), key
        )
    return {
        "write": written.code_name,
        "before": before,
        "purge": purged.code_name,
        "block_hashed_writes": marker,
        "member_read_after": member_read,
        "member_hash_after": member_hash,
        "non_member_hash_after": non_member_hash,
    }


def private_query_in_a_writing_transaction(ctx: ScenarioContext) -> Observation:
    """Private range / partial-key queries with a private write in the same transaction (both
    orders), and a read-only private range query."""
    key = ctx.key("pq")
    observed: Observation = {}
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        _put_endorsed(kv, key, b"v")
        for query_kind in ("range", "partial"):
            for order in ("query-first", "write-first"):
                observed[f"{query_kind}_{order}"] = attempt(
                    lambda q=query_kind, o=order: kv.submit(  # type: ignore[misc]
                        "PrivateQueryAndWrite",
                        ENDORSED,
                        key,
                        q,
                        o,
                        endorsing_orgs=[OPERATOR],
                    ),
                    key,
                )
        observed["read_only_range"] = attempt(
            lambda: kv.evaluate("RangePrivate", ENDORSED, key, key + "~"), key
        )
    return observed


def collection_endorsement_policy(ctx: ScenarioContext) -> Observation:
    """A collection's own endorsement policy replaces the chaincode's for writes to it."""
    key = ctx.key("cep")
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        planned = attempt(
            lambda: kv.submit("PutPrivate", ENDORSED, key, transient={"value": b"p"}), key
        )
        by_member = _put_endorsed(kv, key + "-m", b"m").code_name
        no_own_policy = attempt(
            lambda: kv.submit(
                "PutPrivate",
                "operatorPrivate",
                key,
                transient={"value": b"p"},
                endorsing_orgs=[OPERATOR],
                collections={"operatorPrivate": [OPERATOR]},
            ),
            key,
        )
        by_non_member = attempt(
            lambda: kv.submit("DeletePrivate", ENDORSED, key, endorsing_orgs=[PROSUMER]), key
        )
        read = attempt(lambda: kv.evaluate("GetPrivate", ENDORSED, key), key)
    return {
        "default_endorsers": planned,
        "named_member": by_member,
        "collection_without_own_policy": no_own_policy,
        "delete_by_non_member_peer": by_non_member,
        "read_back": read,
    }


def _connect_across(ctx: ScenarioContext, identity_msp: str, peer_msp: str) -> Any:
    """A gateway signing as ``identity_msp``'s User1, connected to ``peer_msp``'s peer."""
    folder = ctx.profile.organization(identity_msp).user_msp("User1")
    return _gateway_as(ctx, folder, identity_msp, peer_msp)


def _private_view(
    gateway: Any, ctx: ScenarioContext, number: int, names: dict[str, str]
) -> Observation:
    """Block ``number`` through DeliverWithPrivateData: its validation codes and each private
    write given ([tx index, collection, key's name in ``names``, value, is_delete])."""
    stream = gateway.network(ctx.channel).private_data_blocks(start_block=number)
    try:
        got = next(iter(stream))
    finally:
        stream.close()
    return {
        "codes": [t.validation_code for t in got.block.transactions],
        "writes": [
            [w.index, w.collection, names.get(w.key, "<other>"), w.value.decode(), w.is_delete]
            for w in got.private_writes
            if w.namespace == ctx.chaincode
        ],
    }


def deliver_with_private_data(ctx: ScenarioContext) -> Observation:
    """DeliverWithPrivateData: what a member's and a non-member's identity get from their own
    and from each other's peer (collections with ``memberOnlyRead: false``), for a write, a
    delete, an invalid transaction, and a block whose key was purged afterwards."""
    keep, gone, erase = ctx.key("dk"), ctx.key("dd"), ctx.key("dp")
    keys = {keep: "<kept>", gone: "<deleted>", erase: "<purged>"}
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        wrote = _put_endorsed(kv, erase, b"erase me").block_number
        kept = _put_endorsed(kv, keep, b"1234 Wh").block_number
        _put_endorsed(kv, gone, b"0 Wh")
        deleted = kv.new_proposal("DeletePrivate", args=[ENDORSED, gone], endorsing_orgs=[OPERATOR])
        deleted_block = deleted.endorse().submit().status().block_number
        invalid = kv.new_proposal(  # the chaincode's policy needs both orgs: invalid
            "PutPrivate",
            args=["operatorPrivate", keep],
            transient={"value": b"not kept"},
            endorsing_orgs=[OPERATOR],
            collections={"operatorPrivate": [OPERATOR]},
        )
        invalid_block = invalid.endorse().submit().status().block_number
        before = _private_view(gateway, ctx, wrote, keys)
        views: Observation = {
            "member": _private_view(gateway, ctx, kept, keys),
            "member_delete": _private_view(gateway, ctx, deleted_block, keys),
            "member_invalid_transaction": _private_view(gateway, ctx, invalid_block, keys),
        }
    with ctx.profile.connect(PROSUMER) as gateway:
        views["non_member"] = _private_view(gateway, ctx, kept, keys)
    with _connect_across(ctx, OPERATOR, PROSUMER) as gateway:
        views["member_identity_on_non_member_peer"] = _private_view(gateway, ctx, kept, keys)
    with _connect_across(ctx, PROSUMER, OPERATOR) as gateway:
        views["non_member_identity_on_member_peer"] = _private_view(gateway, ctx, kept, keys)
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        purge = kv.new_proposal("PurgePrivate", args=[ENDORSED, erase], endorsing_orgs=[OPERATOR])
        purged = purge.endorse().submit().status().block_number
        views["member_before_purge"] = before
        views["member_after_purge"] = _private_view(gateway, ctx, wrote, keys)
        views["member_purge_block"] = _private_view(gateway, ctx, purged, keys)
    return views


MEMBER_ONLY = "operatorMemberOnly"  # the operator's; memberOnlyRead and memberOnlyWrite true


def _put_planned(kv: Any, collection: str, key: str, value: bytes) -> Any:
    """A private write with endorsers planned by the Gateway; its commit status."""
    proposal = kv.new_proposal("PutPrivate", args=[collection, key], transient={"value": value})
    return proposal.endorse().submit().status()


def member_only_collection(ctx: ScenarioContext) -> Observation:
    """A collection with ``memberOnlyRead`` and ``memberOnlyWrite``: the operator's client writes
    and reads it; a ProsumerMSP client going through the operator's (member) peer is refused
    its value at endorsement (its hash is still answered), is refused a write and a delete, and
    gets none of its private writes through DeliverWithPrivateData."""
    import hashlib

    key = ctx.key("mo")
    names = {key: "<key>"}
    value = b"member only"
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        status = _put_planned(kv, MEMBER_ONLY, key, value)
        member_read = attempt(lambda: kv.evaluate("GetPrivate", MEMBER_ONLY, key), key)
        member_view = _private_view(gateway, ctx, status.block_number, names)
    with _connect_across(ctx, PROSUMER, OPERATOR) as gateway:
        other = _kv(ctx, gateway)
        digest = hashlib.sha256(value).hexdigest()
        observed: Observation = {
            "write": status.code_name,
            "member_read": member_read,
            "member_deliver": member_view,
            "non_member_read": attempt(lambda: other.evaluate("GetPrivate", MEMBER_ONLY, key), key),
            "non_member_hash_matches": attempt(
                lambda: other.evaluate("GetPrivateHash", MEMBER_ONLY, key).decode() == digest
            ),
            "non_member_write": attempt(
                lambda: other.submit(
                    "PutPrivate", MEMBER_ONLY, key, transient={"value": b"overwritten"}
                ),
                key,
            ),
            "non_member_delete": attempt(
                lambda: other.submit("DeletePrivate", MEMBER_ONLY, key), key
            ),
            "non_member_deliver": _private_view(gateway, ctx, status.block_number, names),
        }
    with ctx.profile.connect(OPERATOR) as gateway:
        observed["read_back"] = attempt(
            lambda: _kv(ctx, gateway).evaluate("GetPrivate", MEMBER_ONLY, key), key
        )
    return observed


def meter_data_collection_write(ctx: ScenarioContext) -> Observation:
    """A write to ``mdata_ProsumerMSP`` (derived from the organisations: members the utility and
    ProsumerMSP, both peers endorsing) with default endorsers: the energy contract registering a
    ProsumerMSP household keeps its salt there (the kv contract refuses ``mdata_*``); then the
    hash each member's peer holds for it."""
    import hashlib

    collection = f"mdata_{PROSUMER}"
    subject = f"CN={ctx.key('md')}"
    salt = b"s" * 32
    with ctx.profile.connect(OPERATOR, "utility") as gateway:
        energy = gateway.network(ctx.channel).contract(ctx.chaincode, "energy")
        proposal = energy.new_proposal(
            "RegisterParticipant",
            args=[PROSUMER, subject, "consumer", "north", "probe"],
            transient={"salt": salt},
        )
        status = proposal.endorse().submit().status()
        tx = gateway.network(ctx.channel).transaction(status.transaction_id)
    observed: Observation = {"write": status.code_name, "endorsers": sorted(tx.endorsers)}
    key = f"energy.salt/{PROSUMER}::{subject}"
    digest = hashlib.sha256(salt).hexdigest()

    def hash_matches(kv: Any) -> bool:
        return bool(kv.evaluate("GetPrivateHash", collection, key).decode() == digest)

    for org, name in ((OPERATOR, "operator_hash_matches"), (PROSUMER, "prosumer_hash_matches")):
        with ctx.profile.connect(org) as gateway:
            observed[name] = attempt(functools.partial(hash_matches, _kv(ctx, gateway)))
    return observed


def chaincode_events_of_unknown_chaincode(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        stream = gateway.network(ctx.channel).chaincode_events("nosuchchaincode", start_block=0)
        return _first_from_stream(stream)


def block_events_of_unknown_channel(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        return _first_from_stream(gateway.network("nosuchchannel").block_events(start_block=0))


def chaincode_events_of_unknown_channel(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        stream = gateway.network("nosuchchannel").chaincode_events(ctx.chaincode, start_block=0)
        return _first_from_stream(stream)


def endorse_with_unknown_org(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        proposal = _kv(ctx, gateway).new_proposal("Noop", endorsing_orgs=["NoSuchMSP"])
        return attempt(lambda: proposal.endorse())


def wrong_argument_count(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        return attempt(lambda: _kv(ctx, gateway).evaluate("Get"))


def events_of_an_invalid_transaction(ctx: ScenarioContext) -> Observation:
    """An event from a transaction that commits invalid, then one from a valid transaction."""
    name = ctx.key("inv")
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway)
        network = gateway.network(ctx.channel)
        one_org = kv.new_proposal("Emit", args=[name, "invalid"], endorsing_orgs=[OPERATOR])
        invalid = one_org.endorse().submit().status()
        valid = kv.new_proposal("Emit", args=[name, "valid"]).endorse().submit().status()
        payloads: list[str] = []
        events = network.chaincode_events(ctx.chaincode, start_block=invalid.block_number)
        try:
            for event in events:
                if event.event_name == name:
                    payloads.append(event.payload.decode())
                if event.block_number >= valid.block_number:
                    break
        finally:
            events.close()
        filtered_stream = network.filtered_block_events(start_block=invalid.block_number)
        try:
            filtered = next(iter(filtered_stream))
        finally:
            filtered_stream.close()
    transactions = []
    for tx in filtered.filtered_transactions:
        actions = tx.transaction_actions.chaincode_actions
        transactions.append(
            {
                "code": _code_name(tx.tx_validation_code),
                "type": int(tx.type),
                "actions": len(actions),
                "events": [
                    [a.chaincode_event.event_name == name, len(a.chaincode_event.payload)]
                    for a in actions
                ],
            }
        )
    return {
        "invalid_code": invalid.code_name,
        "event_payloads": payloads,
        "filtered_block": transactions,
    }


def _crypto_root(ctx: ScenarioContext) -> Path:
    """The network's ``crypto/`` folder (the org TLS CA certificate lives under it)."""
    tls_ca = Path(ctx.profile.organization(OPERATOR).tls_ca_cert)
    return next(p for p in tls_ca.parents if p.name == "crypto")


def _gateway_as(
    ctx: ScenarioContext, msp_folder: Path, msp_id: str = OPERATOR, peer_msp: str = OPERATOR
) -> Any:
    """A gateway signing as the identity in ``msp_folder`` (of ``msp_id``), connected to
    ``peer_msp``'s peer."""
    from gridledger.fabric.msp import load_msp
    from gridledger.gateway import connect

    identity, signer = load_msp(msp_folder, msp_id)
    org = ctx.profile.organization(peer_msp)
    return connect(
        org.peer_endpoint,
        identity=identity,
        signer=signer,
        tls_root_cert=org.tls_ca_cert.read_bytes(),
    )


def _write_msp(folder: Path, ca: Any, user: Any) -> None:
    """An MSP folder for ``user`` (an ``Issued`` key and certificate) signed by ``ca``."""
    from gridledger_network.devnet.crypto.certificates import write_file

    write_file(folder / "cacerts" / "ca.pem", ca.cert_pem)
    write_file(folder / "keystore" / "priv_sk", user.key_pem, private=True)
    write_file(folder / "signcerts" / "cert.pem", user.cert_pem)


def _noop_as(ctx: ScenarioContext, msp_folder: Path) -> Observation:
    """What evaluating and submitting ``Noop`` give to the identity in ``msp_folder``."""
    with _gateway_as(ctx, msp_folder) as gateway:
        kv = _kv(ctx, gateway)
        return {
            "evaluate": attempt(lambda: kv.evaluate("Noop")),
            "submit": attempt(lambda: kv.submit("Noop")),
        }


def identity_without_node_ou(ctx: ScenarioContext) -> Observation:
    """A certificate from the org's own CA that carries no NodeOU (role) in its subject."""
    from gridledger_network.devnet.crypto.certificates import issue_identity, load_issued
    from gridledger_network.devnet.crypto.layout import CryptoLayout

    folder = ctx.scratch / f"no-ou-msp-{uuid.uuid4().hex[:8]}"  # this network's CA, every time
    layout = CryptoLayout(_crypto_root(ctx))
    ca = load_issued(layout.ca_cert(OPERATOR), layout.ca_key(OPERATOR))
    _write_msp(folder, ca, issue_identity(ca, "nobody@gridoperator.gridledger.local", None))
    return _noop_as(ctx, folder)


def peer_identity_as_client(ctx: ScenarioContext) -> Observation:
    """The org's peer identity (NodeOU peer: a reader, not a writer) calling the chaincode."""
    from gridledger_network.devnet.crypto.layout import CryptoLayout

    return _noop_as(ctx, CryptoLayout(_crypto_root(ctx)).node_msp_dir(OPERATOR))


def unknown_chaincode_with_endorsing_orgs(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        proposal = _kv(ctx, gateway, "nosuchchaincode").new_proposal(
            "Noop", endorsing_orgs=[OPERATOR, PROSUMER]
        )
        return attempt(lambda: proposal.endorse())


def transient_data_for_unknown_chaincode(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        kv = _kv(ctx, gateway, "nosuchchaincode")
        return {
            "submit": attempt(lambda: kv.submit("Noop", transient={"value": b"s"})),
            "evaluate": attempt(lambda: kv.evaluate("Noop", transient={"value": b"s"})),
        }


def private_write_through_non_member_gateway(ctx: ScenarioContext) -> Observation:
    """Transient data submitted through the org outside the collection, endorsers by default."""
    return _private_write(ctx, PROSUMER, ctx.key("pvt-nm"))


def altered_signature_on_read_requests(ctx: ScenarioContext) -> Observation:
    """Commit status, chaincode events and block events requests whose signature was altered."""
    with ctx.profile.connect(OPERATOR) as gateway:
        signing = gateway._context.signing
        status_request = gateway_requests.commit_status_request(signing, ctx.channel, "0" * 64)
        commit = gateway.new_signed_commit(bytes(status_request.SerializeToString()), BAD_SIGNATURE)
        events_request = gateway_requests.chaincode_events_request(
            signing, ctx.channel, ctx.chaincode, 0
        )
        events = gateway.new_signed_chaincode_events_request(
            bytes(events_request.SerializeToString()), BAD_SIGNATURE
        )
        deliver = gateway_requests.deliver_envelope(signing, ctx.channel, 0)
        blocks = gateway.new_signed_block_events_request(
            bytes(deliver.SerializeToString()), BAD_SIGNATURE
        )
        return {
            "commit_status": attempt(lambda: commit.status(timeout=3.0)),
            "chaincode_events": _first_from_stream(events.events()),
            "block_events": _first_from_stream(blocks.events()),
        }


def commit_status_of_unknown_channel(ctx: ScenarioContext) -> Observation:
    with ctx.profile.connect(OPERATOR) as gateway:
        commit = _commit(gateway, gateway._context.signing, "nosuchchannel", "0" * 64)
        return attempt(lambda: commit.status(timeout=3.0))


SCENARIOS: dict[str, Callable[[ScenarioContext], Observation]] = {
    f.__name__: f
    for f in (
        chaincode_error_at_submit,
        chaincode_error_at_evaluate,
        unknown_function_submit,
        unknown_function_evaluate,
        unknown_chaincode_submit,
        unknown_chaincode_evaluate,
        unknown_channel_submit,
        unknown_channel_evaluate,
        concurrent_read_modify_writes,
        endorsed_by_one_org_only,
        commit_status_of_unsubmitted_transaction,
        same_signed_transaction_twice,
        identity_from_foreign_ca,
        altered_proposal_signature,
        altered_transaction_signature,
        altered_endorsed_payload,
        chaincode_event_order_and_replay,
        block_event_metadata,
        block_zero,
        private_write_default_endorsers,
        private_write_explicit_endorsers,
        chaincode_events_of_unknown_chaincode,
        block_events_of_unknown_channel,
        chaincode_events_of_unknown_channel,
        endorse_with_unknown_org,
        wrong_argument_count,
        events_of_an_invalid_transaction,
        identity_without_node_ou,
        peer_identity_as_client,
        unknown_chaincode_with_endorsing_orgs,
        transient_data_for_unknown_chaincode,
        private_write_through_non_member_gateway,
        altered_signature_on_read_requests,
        commit_status_of_unknown_channel,
        private_data_hash_on_a_non_member,
        purge_private_data,
        private_query_in_a_writing_transaction,
        collection_endorsement_policy,
        deliver_with_private_data,
        member_only_collection,
        meter_data_collection_write,
    )
}


def run_all(ctx: ScenarioContext, only: list[str] | None = None) -> dict[str, Observation]:
    results: dict[str, Observation] = {}
    for name, scenario in SCENARIOS.items():
        if only is not None and name not in only:
            continue
        try:
            results[name] = scenario(ctx)
        except Exception as err:
            results[name] = {"scenario_raised": f"{type(err).__name__}: {normalise(str(err))}"}
    return results
