#!/usr/bin/env node
// Benchmark worker driving Hyperledger's Node Gateway client (@hyperledger/fabric-gateway) with a
// fixed number of transactions in flight for a fixed time. The workloads are those of
// bench/workloads.py, key for key; the line protocol on stdout is bench/worker_protocol.py's:
//   {"event":"ready"} set-up done · {"event":"start"} window opens · {"event":"end"} window closes ·
//   {"event":"result",...} completed/failed counts and the commit latency of each transaction.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { connectGateway } from '../../tests/conformance/node/client/connection.mjs';

const POOL = 2048;
const RANGE_KEYS = 100;
const VALUE = 'v'.repeat(100);

const pad = (n, width) => String(n).padStart(width, '0');

const WORKLOADS = {
    put: {
        run: (c, p, i) => c.submitTransaction('Put', `${p}p-${pad(i, 9)}`, VALUE),
    },
    addto: {
        run: (c, p, i) => c.submitTransaction('AddTo', `${p}a-${pad(i % POOL, 5)}`, '1'),
        setup: async (c, p, inflight) => {
            if (await exists(c, `${p}a-${pad(POOL - 1, 5)}`)) return;
            await drive(inflight, POOL, (i) => c.submitTransaction('AddTo', `${p}a-${pad(i, 5)}`, '0'));
        },
    },
    range: {
        run: (c, p) => c.submitTransaction('Range', `${p}r-000`, `${p}r-${pad(RANGE_KEYS, 3)}`),
        setup: async (c, p, inflight) => {
            if (await exists(c, `${p}r-${pad(RANGE_KEYS - 1, 3)}`)) return;
            await drive(inflight, RANGE_KEYS, (i) => c.submitTransaction('Put', `${p}r-${pad(i, 3)}`, VALUE));
        },
    },
    noop: {
        run: (c) => c.submitTransaction('Noop'),
    },
};

async function exists(contract, key) {
    try {
        await contract.evaluateTransaction('Get', key);
        return true;
    } catch {
        return false;
    }
}

async function drive(inflight, count, operation) {
    let next = 0;
    const worker = async () => {
        while (next < count) {
            const index = next;
            next += 1;
            await operation(index);
        }
    };
    await Promise.all(Array.from({ length: Math.min(inflight, count) }, worker));
}

function say(line) {
    process.stdout.write(`${JSON.stringify(line)}\n`);
}

function describe(error) {
    const details = (error?.details ?? []).map((d) => d.message).join('; ');
    return `${error?.message ?? error}${details ? ` (${details})` : ''}`;
}

async function main() {
    const { values } = parseArgs({
        options: {
            network: { type: 'string' },
            org: { type: 'string' },
            user: { type: 'string', default: 'User1' },
            chaincode: { type: 'string' },
            contract: { type: 'string', default: 'kv' },
            workload: { type: 'string' },
            inflight: { type: 'string', default: '32' },
            warmup: { type: 'string', default: '2' },
            duration: { type: 'string', default: '10' },
            prefix: { type: 'string', default: `n${process.pid}-` },
        },
        strict: true,
    });
    const workload = WORKLOADS[values.workload];
    if (!workload) {
        throw new Error(`unknown workload ${values.workload}`);
    }
    const inflight = Number.parseInt(values.inflight, 10);
    const connection = await connectGateway({
        networkFile: values.network,
        mspId: values.org,
        user: values.user,
        hostOverride: false,
        timeoutMs: 60000,
    });
    try {
        const network = connection.gateway.getNetwork(connection.channel);
        const contract = network.getContract(values.chaincode, values.contract || undefined);
        const prefix = values.prefix;
        if (workload.setup) {
            await workload.setup(contract, prefix, inflight);
        }
        say({ event: 'ready' });

        const warmupMs = Number.parseFloat(values.warmup) * 1000;
        const durationMs = Number.parseFloat(values.duration) * 1000;
        const begin = performance.now();
        const windowStart = begin + warmupMs;
        const windowEnd = windowStart + durationMs;
        let started = false;
        let ended = false;
        let next = 0;
        let ok = 0;
        let failed = 0;
        let firstError = null;
        const latencies = [];
        const tick = () => {
            const now = performance.now();
            if (!started && now >= windowStart) {
                started = true;
                say({ event: 'start' });
            }
            if (!ended && now >= windowEnd) {
                ended = true;
                say({ event: 'end' });
            }
            return now;
        };
        const timer = setInterval(tick, 5);
        const loop = async () => {
            while (tick() < windowEnd) {
                const index = next;
                next += 1;
                const sent = performance.now();
                try {
                    await workload.run(contract, prefix, index);
                    const done = tick();
                    if (done >= windowStart && done < windowEnd) {
                        ok += 1;
                        latencies.push(done - sent);
                    }
                } catch (error) {
                    const done = tick();
                    if (done >= windowStart && done < windowEnd) {
                        failed += 1;
                        firstError ??= describe(error);
                    }
                }
            }
        };
        await Promise.all(Array.from({ length: inflight }, loop));
        clearInterval(timer);
        tick();
        say({
            event: 'result',
            client: '@hyperledger/fabric-gateway',
            ok,
            failed,
            window_seconds: durationMs / 1000,
            latencies_ms: latencies,
            first_error: firstError,
        });
    } finally {
        connection.close();
    }
}

main().catch((error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
});
