// Throughput mode for benchmarks: N operations spread over C concurrent workers.
//   put      submit Put(prefix+i, value) and wait for commit
//   get      evaluate Get(prefix+i) (keys written before by `put` with the same prefix)
//   noop     submit Noop() and wait for commit
//   evaluate evaluate Noop()
import { performance } from 'node:perf_hooks';
import { describeError } from './results.mjs';

const OPERATIONS = {
    put: (contract, key, index) => contract.submitTransaction('Put', key, `value-${index}`),
    get: (contract, key) => contract.evaluateTransaction('Get', key),
    noop: (contract) => contract.submitTransaction('Noop'),
    evaluate: (contract) => contract.evaluateTransaction('Noop'),
};

export async function runLoad({ contract, op, count, concurrency, prefix }) {
    const operation = OPERATIONS[op];
    if (!operation) {
        throw new Error(`unknown op ${op}; one of ${Object.keys(OPERATIONS).join(', ')}`);
    }
    let next = 0;
    let ok = 0;
    let failed = 0;
    let firstError = null;
    const worker = async () => {
        while (next < count) {
            const index = next;
            next += 1;
            try {
                await operation(contract, `${prefix}${index}`, index);
                ok += 1;
            } catch (error) {
                failed += 1;
                firstError ??= describeError(error);
            }
        }
    };
    const started = performance.now();
    const workers = Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker);
    await Promise.all(workers);
    const elapsedSeconds = (performance.now() - started) / 1000;
    return {
        client: '@hyperledger/fabric-gateway',
        op,
        count,
        concurrency,
        ok,
        failed,
        elapsedSeconds,
        perSecond: elapsedSeconds > 0 ? ok / elapsedSeconds : null,
        firstError,
    };
}
