'use strict';
// The `kv` contract, identical in behaviour to the Python chaincode's `kv` contract: same
// transaction names, string arguments, UTF-8 results, events and error messages.
const crypto = require('node:crypto');
const { Contract } = require('fabric-contract-api');
const { KeyEndorsementPolicy } = require('fabric-shim');

const DECIMAL_INTEGER = /^[+-]?[0-9]+$/;

async function collectRecords(iterator) {
    const records = [];
    try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
            records.push({ key: next.value.key, value: Buffer.from(next.value.value).toString('utf8') });
        }
    } finally {
        await iterator.close();
    }
    return records;
}

// Same rule and message as the Python contract: optional sign, digits, surrounding blanks allowed.
function parseDecimal(text, what) {
    const stripped = text.trim();
    if (!DECIMAL_INTEGER.test(stripped)) {
        throw new Error(`${what} '${text}' is not a decimal integer`);
    }
    return BigInt(stripped);
}

class KvContract extends Contract {
    constructor() {
        super('kv');
    }

    async Put(ctx, key, value) {
        await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
        ctx.stub.setEvent('Put', Buffer.from(key, 'utf8'));
        return '';
    }

    async Get(ctx, key) {
        const value = await ctx.stub.getState(key);
        if (!value || value.length === 0) {
            throw new Error(`key ${key} does not exist`);
        }
        return Buffer.from(value).toString('utf8');
    }

    async Delete(ctx, key) {
        await ctx.stub.deleteState(key);
        return '';
    }

    async AddTo(ctx, key, amount) {
        const delta = parseDecimal(amount, 'amount');
        const current = await ctx.stub.getState(key);
        const base = current && current.length > 0
            ? parseDecimal(Buffer.from(current).toString('utf8'), `value of ${key}`)
            : 0n;
        const total = (base + delta).toString();
        await ctx.stub.putState(key, Buffer.from(total, 'utf8'));
        return total;
    }

    async Range(ctx, start, end) {
        const iterator = await ctx.stub.getStateByRange(start, end);
        return JSON.stringify(await collectRecords(iterator));
    }

    async RangePage(ctx, start, end, pageSize, bookmark) {
        const size = Number(parseDecimal(pageSize, 'pageSize'));
        const { iterator, metadata } = await ctx.stub.getStateByRangeWithPagination(
            start, end, size, bookmark);
        const records = await collectRecords(iterator);
        return JSON.stringify({
            records,
            fetched: metadata.fetchedRecordsCount,
            bookmark: metadata.bookmark,
        });
    }

    async PutComposite(ctx, objectType, attr1, attr2, value) {
        const key = ctx.stub.createCompositeKey(objectType, [attr1, attr2]);
        await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
        return '';
    }

    async ListComposite(ctx, objectType, attr1) {
        const iterator = await ctx.stub.getStateByPartialCompositeKey(objectType, [attr1]);
        return JSON.stringify(await collectRecords(iterator));
    }

    async History(ctx, key) {
        const iterator = await ctx.stub.getHistoryForKey(key);
        const entries = [];
        try {
            for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
                const modification = next.value;
                entries.push({
                    txId: modification.txId,
                    value: Buffer.from(modification.value).toString('utf8'),
                    isDelete: modification.isDelete,
                });
            }
        } finally {
            await iterator.close();
        }
        return JSON.stringify(entries);
    }

    async PutPrivate(ctx, collection, key) {
        const value = ctx.stub.getTransient().get('value');
        if (!value) {
            throw new Error('transient field "value" is missing');
        }
        await ctx.stub.putPrivateData(collection, key, value);
        return '';
    }

    async GetPrivate(ctx, collection, key) {
        const value = await ctx.stub.getPrivateData(collection, key);
        if (!value || value.length === 0) {
            throw new Error(`key ${key} does not exist in collection ${collection}`);
        }
        return Buffer.from(value).toString('utf8');
    }

    async GetPrivateHash(ctx, collection, key) {
        const hash = await ctx.stub.getPrivateDataHash(collection, key);
        if (!hash || hash.length === 0) {
            throw new Error(`key ${key} does not exist in collection ${collection}`);
        }
        return Buffer.from(hash).toString('hex');
    }

    async DeletePrivate(ctx, collection, key) {
        await ctx.stub.deletePrivateData(collection, key);
        return '';
    }

    async PurgePrivate(ctx, collection, key) {
        await ctx.stub.purgePrivateData(collection, key);
        return '';
    }

    async SetKeyPolicy(ctx, key, mspIdsCsv) {
        const mspIds = mspIdsCsv.split(',').map((id) => id.trim()).filter((id) => id.length > 0);
        if (mspIds.length === 0) {
            throw new Error('a key-level endorsement policy needs at least one MSP id');
        }
        const policy = new KeyEndorsementPolicy();
        policy.addOrgs('PEER', ...mspIds);
        await ctx.stub.setStateValidationParameter(key, policy.getPolicy());
        return '';
    }

    async Fail(ctx, message) {
        throw new Error(message);
    }

    async Noop(ctx) {
        return '';
    }

    async Emit(ctx, name, payload) {
        ctx.stub.setEvent(name, Buffer.from(payload, 'utf8'));
        return '';
    }

    async Whoami(ctx) {
        return JSON.stringify({ mspId: ctx.clientIdentity.getMSPID(), id: ctx.clientIdentity.getID() });
    }

    async Nondeterministic(ctx) {
        const value = crypto.randomBytes(16).toString('hex');
        await ctx.stub.putState('nondeterministic', Buffer.from(value, 'utf8'));
        return '';
    }

    // Variadic: fabric-contract-api infers no fixed parameter list for a (ctx, ...rest) function.
    async InvokeOther(ctx, ...invocation) {
        const [chaincode, fn, ...args] = invocation;
        if (!chaincode || !fn) {
            throw new Error('InvokeOther needs a chaincode name and a function name');
        }
        const response = await ctx.stub.invokeChaincode(chaincode, [fn, ...args], '');
        if (response.status >= 400) {
            throw new Error(response.message || `chaincode ${chaincode} failed`);
        }
        return Buffer.from(response.payload || []).toString('utf8');
    }
}

module.exports = { KvContract };
