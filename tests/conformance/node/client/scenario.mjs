#!/usr/bin/env node
// Hyperledger's own Node Gateway client (@hyperledger/fabric-gateway) driven against a GridLedger
// network described by the devnet's network.json. Prints exactly one JSON line on stdout.
//
//   node client/scenario.mjs --network DIR/network.json --org GridOperatorMSP --user User1 \
//        --chaincode gridledger --contract kv --prefix KEYPREFIX --scenario conformance
//   node client/scenario.mjs ... --op put --count 1000 --concurrency 50     (throughput)
//
// Exit code 0 when the scenario ran (its JSON says what happened), 2 on bad usage or set-up.
import { parseArgs } from 'node:util';
import { connectGateway } from './connection.mjs';
import { runConformance } from './conformance.mjs';
import { runLoad } from './load.mjs';

const USAGE = `usage: scenario.mjs --network FILE --org MSPID [--user User1] --chaincode NAME
  [--contract NAME] [--channel NAME] [--host-override]
  (--scenario conformance [--prefix P] | --op put|get|noop|evaluate [--count N] [--concurrency C] [--prefix P])`;

function parseCommandLine(argv) {
    const { values } = parseArgs({
        args: argv,
        options: {
            network: { type: 'string' },
            org: { type: 'string' },
            user: { type: 'string', default: 'User1' },
            channel: { type: 'string' },
            chaincode: { type: 'string' },
            contract: { type: 'string', default: '' },
            scenario: { type: 'string' },
            op: { type: 'string' },
            count: { type: 'string', default: '100' },
            concurrency: { type: 'string', default: '10' },
            prefix: { type: 'string', default: `node-${process.pid}-` },
            'host-override': { type: 'boolean', default: false },
            'timeout-ms': { type: 'string', default: '30000' },
        },
        strict: true,
    });
    if (!values.network || !values.org || !values.chaincode || (!values.scenario && !values.op)) {
        throw new Error(USAGE);
    }
    return {
        networkFile: values.network,
        mspId: values.org,
        user: values.user,
        channel: values.channel,
        chaincode: values.chaincode,
        contract: values.contract,
        scenario: values.scenario,
        op: values.op,
        count: Number.parseInt(values.count, 10),
        concurrency: Number.parseInt(values.concurrency, 10),
        prefix: values.prefix,
        hostOverride: values['host-override'],
        timeoutMs: Number.parseInt(values['timeout-ms'], 10),
    };
}

async function main() {
    let options;
    try {
        options = parseCommandLine(process.argv.slice(2));
    } catch (error) {
        process.stderr.write(`${error.message}\n`);
        return 2;
    }
    const connection = await connectGateway(options);
    try {
        const network = connection.gateway.getNetwork(connection.channel);
        const contract = network.getContract(options.chaincode, options.contract || undefined);
        const context = { ...options, network, contract, channel: connection.channel };
        let result;
        if (options.scenario === 'conformance') {
            result = await runConformance(context);
        } else if (options.op) {
            result = await runLoad(context);
        } else {
            process.stderr.write(`unknown scenario ${options.scenario}\n${USAGE}\n`);
            return 2;
        }
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return 0;
    } finally {
        connection.close();
    }
}

main().then(
    (code) => {
        process.exitCode = code;
    },
    (error) => {
        process.stderr.write(`${error.stack ?? error}\n`);
        process.exitCode = 2;
    },
);
