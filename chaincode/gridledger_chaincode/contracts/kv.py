"""The `kv` contract: a plain key-value contract mirrored by a Node fabric-contract-api chaincode,
used for conformance tests and benchmarks. Every argument and result is a string.

It is served in the same chaincode as the energy contract, so its private-data functions refuse
the energy contract's meter-data collections (``mdata_*``): a household's data is read and
written only through the energy contract's access rules (docs/private-data.md). ``GetPrivateHash``
stays open: every peer of the channel holds those hashes anyway."""

from __future__ import annotations

import secrets

from gridledger_domain.collections import is_meter_data_collection

from gridledger_chaincode.contract import Context, Contract, ContractError, query, transaction
from gridledger_chaincode.contract.arguments import to_json
from gridledger_chaincode.shim.interface import StateIterator
from gridledger_chaincode.shim.policy import org_endorsement_policy


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


def _records(iterator: StateIterator) -> list[dict[str, str]]:
    with iterator:
        return [{"key": kv.key, "value": _text(kv.value)} for kv in iterator]


def _not_meter_data(collection: str) -> None:
    if is_meter_data_collection(collection):
        raise ContractError(
            f"collection {collection} holds households' meter data: the kv contract does not "
            "read or write it (use the energy contract)"
        )


def _parse_int(name: str, text: str) -> int:
    stripped = text.strip()
    if not stripped.lstrip("+-").isdigit():
        raise ContractError(f"{name} {text!r} is not a decimal integer")
    return int(stripped)


class KvContract(Contract):
    name = "kv"
    title = "Key-value conformance contract"

    @transaction(name="Put")
    def put(self, ctx: Context, key: str, value: str) -> str:
        ctx.stub.put_state(key, value.encode())
        ctx.stub.set_event("Put", key.encode())
        return ""

    @query(name="Get")
    def get(self, ctx: Context, key: str) -> str:
        value = ctx.stub.get_state(key)
        if not value:
            raise ContractError(f"key {key} does not exist")
        return _text(value)

    @transaction(name="Delete")
    def delete(self, ctx: Context, key: str) -> str:
        ctx.stub.del_state(key)
        return ""

    @transaction(name="AddTo")
    def add_to(self, ctx: Context, key: str, amount: str) -> str:
        delta = _parse_int("amount", amount)
        current = ctx.stub.get_state(key)
        total = (_parse_int(f"value of {key}", _text(current)) if current else 0) + delta
        ctx.stub.put_state(key, str(total).encode())
        return str(total)

    @query(name="Range")
    def range(self, ctx: Context, start: str, end: str) -> str:
        return to_json(_records(ctx.stub.get_state_by_range(start, end)))

    @query(name="RangePage")
    def range_page(self, ctx: Context, start: str, end: str, page_size: str, bookmark: str) -> str:
        size = _parse_int("pageSize", page_size)
        iterator, metadata = ctx.stub.get_state_by_range_with_pagination(start, end, size, bookmark)
        records = _records(iterator)
        return to_json(
            {
                "records": records,
                "fetched": metadata.fetched_records_count,
                "bookmark": metadata.bookmark,
            }
        )

    @transaction(name="PutComposite")
    def put_composite(
        self, ctx: Context, object_type: str, attr1: str, attr2: str, value: str
    ) -> str:
        key = ctx.stub.create_composite_key(object_type, [attr1, attr2])
        ctx.stub.put_state(key, value.encode())
        return ""

    @query(name="ListComposite")
    def list_composite(self, ctx: Context, object_type: str, attr1: str) -> str:
        return to_json(_records(ctx.stub.get_state_by_partial_composite_key(object_type, [attr1])))

    @query(name="History")
    def history(self, ctx: Context, key: str) -> str:
        with ctx.stub.get_history_for_key(key) as iterator:
            entries = [
                {"txId": mod.tx_id, "value": _text(mod.value), "isDelete": mod.is_delete}
                for mod in iterator
            ]
        return to_json(entries)

    @transaction(name="PutPrivate")
    def put_private(self, ctx: Context, collection: str, key: str) -> str:
        _not_meter_data(collection)
        value = ctx.stub.transient.get("value")
        if value is None:
            raise ContractError('transient field "value" is missing')
        ctx.stub.put_private_data(collection, key, value)
        return ""

    @query(name="GetPrivate")
    def get_private(self, ctx: Context, collection: str, key: str) -> str:
        _not_meter_data(collection)
        value = ctx.stub.get_private_data(collection, key)
        if not value:
            raise ContractError(f"key {key} does not exist in collection {collection}")
        return _text(value)

    @query(name="GetPrivateHash")
    def get_private_hash(self, ctx: Context, collection: str, key: str) -> str:
        digest = ctx.stub.get_private_data_hash(collection, key)
        if not digest:
            raise ContractError(f"key {key} does not exist in collection {collection}")
        return digest.hex()

    @transaction(name="DeletePrivate")
    def delete_private(self, ctx: Context, collection: str, key: str) -> str:
        _not_meter_data(collection)
        ctx.stub.del_private_data(collection, key)
        return ""

    @transaction(name="PurgePrivate")
    def purge_private(self, ctx: Context, collection: str, key: str) -> str:
        _not_meter_data(collection)
        ctx.stub.purge_private_data(collection, key)
        return ""

    @query(name="RangePrivate")
    def range_private(self, ctx: Context, collection: str, start: str, end: str) -> str:
        _not_meter_data(collection)
        return to_json(_records(ctx.stub.get_private_data_by_range(collection, start, end)))

    @transaction(name="PrivateQueryAndWrite")
    def private_query_and_write(
        self, ctx: Context, collection: str, key: str, query_kind: str, order: str
    ) -> str:
        """Fabric's rule probe: a private range ("range") or partial-key ("partial") query and a
        private write in one transaction, the query first ("query-first") or the write."""
        _not_meter_data(collection)
        if query_kind not in ("range", "partial") or order not in ("query-first", "write-first"):
            raise ContractError(
                "query_kind must be range or partial, order query-first or write-first"
            )

        def run_query() -> None:
            if query_kind == "range":
                _records(ctx.stub.get_private_data_by_range(collection, key, key + "~"))
            else:
                _records(ctx.stub.get_private_data_by_partial_composite_key(collection, key, []))

        if order == "query-first":
            run_query()
        ctx.stub.put_private_data(collection, key, b"v")
        if order == "write-first":
            run_query()
        return ""

    @transaction(name="SetKeyPolicy")
    def set_key_policy(self, ctx: Context, key: str, msp_ids_csv: str) -> str:
        msp_ids = [m for m in (part.strip() for part in msp_ids_csv.split(",")) if m]
        try:
            policy = org_endorsement_policy(msp_ids)
        except ValueError as exc:
            raise ContractError(str(exc)) from None
        ctx.stub.set_state_validation_parameter(key, policy)
        return ""

    @transaction(name="Fail")
    def fail(self, ctx: Context, message: str) -> str:
        raise ContractError(message)

    @transaction(name="Noop")
    def noop(self, ctx: Context) -> str:
        return ""

    @transaction(name="Emit")
    def emit(self, ctx: Context, name: str, payload: str) -> str:
        ctx.stub.set_event(name, payload.encode())
        return ""

    @query(name="Whoami")
    def whoami(self, ctx: Context) -> str:
        identity = ctx.client_identity
        return to_json({"mspId": identity.msp_id, "id": identity.id})

    @transaction(name="Nondeterministic")
    def nondeterministic(self, ctx: Context) -> str:
        ctx.stub.put_state("nondeterministic", secrets.token_hex(16).encode())
        return ""

    @transaction(name="InvokeOther")
    def invoke_other(self, ctx: Context, chaincode: str, fn: str, *args: str) -> str:
        response = ctx.stub.invoke_chaincode(chaincode, [fn, *args])
        if not response.ok:
            raise ContractError(response.message or f"chaincode {chaincode} failed")
        return _text(response.payload)
