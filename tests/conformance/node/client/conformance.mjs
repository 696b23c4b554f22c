// The conformance scenario: every Gateway feature a Fabric application uses, through
// Hyperledger's own client, against the `kv` contract of whatever chaincode is named.
// Each step records what the client saw; pytest asserts on the JSON.
import { CommitError, GatewayError } from '@hyperledger/fabric-gateway';
import { describeError, text } from './results.mjs';

const MAX_EVENTS_SCANNED = 10000;

function describeStatus(status) {
    return {
        code: status.code,
        successful: status.successful,
        blockNumber: Number(status.blockNumber),
        transactionId: status.transactionId,
    };
}

function describeEvent(event) {
    return {
        blockNumber: Number(event.blockNumber),
        transactionId: event.transactionId,
        chaincodeName: event.chaincodeName,
        eventName: event.eventName,
        payload: text(event.payload),
    };
}

async function captureError(action) {
    try {
        const value = await action();
        return { raised: false, result: text(value) };
    } catch (error) {
        if (error instanceof GatewayError || error instanceof CommitError) {
            return { raised: true, ...describeError(error) };
        }
        throw error;
    }
}

// Reads events until one from `untilTransactionId` arrives (or the stream ends).
async function readEventsUntil(events, untilTransactionId) {
    const seen = [];
    let scanned = 0;
    for await (const event of events) {
        seen.push(describeEvent(event));
        scanned += 1;
        if (event.transactionId === untilTransactionId || scanned >= MAX_EVENTS_SCANNED) {
            break;
        }
    }
    return seen;
}

async function submitAndWait(contract, name, options) {
    const submitted = await contract.submitAsync(name, options);
    const status = await submitted.getStatus();
    return {
        transactionId: submitted.getTransactionId(),
        result: text(submitted.getResult()),
        status: describeStatus(status),
    };
}

async function firstBlockEvent(network, startBlock) {
    const blocks = await network.getBlockEvents({ startBlock: BigInt(startBlock) });
    try {
        for await (const block of blocks) {
            return {
                number: Number(block.getHeader().getNumber()),
                transactions: block.getData().getDataList().length,
                previousHashHex: Buffer.from(block.getHeader().getPreviousHash_asU8()).toString('hex'),
            };
        }
    } finally {
        blocks.close();
    }
    return null;
}

async function firstFilteredBlockEvent(network, startBlock) {
    const blocks = await network.getFilteredBlockEvents({ startBlock: BigInt(startBlock) });
    try {
        for await (const block of blocks) {
            return {
                number: Number(block.getNumber()),
                channel: block.getChannelId(),
                transactions: block.getFilteredTransactionsList().map((tx) => ({
                    transactionId: tx.getTxid(),
                    validationCode: tx.getTxValidationCode(),
                })),
            };
        }
    } finally {
        blocks.close();
    }
    return null;
}

export async function runConformance({ contract, network, chaincode, mspId, prefix }) {
    const keyA = `${prefix}a`;
    const keyB = `${prefix}b`;
    const counter = `${prefix}counter`;
    const report = { client: '@hyperledger/fabric-gateway', mspId };

    // Learn the chain's height with a no-op transaction, then listen from the next block.
    const marker = await submitAndWait(contract, 'Noop', { arguments: [] });
    report.noop = marker;
    const liveEvents = await network.getChaincodeEvents(chaincode, {
        startBlock: BigInt(marker.status.blockNumber + 1),
    });

    try {
        report.submit = { result: text(await contract.submitTransaction('Put', keyA, 'alpha')) };
        report.evaluate = { result: text(await contract.evaluateTransaction('Get', keyA)) };
        report.submitAsync = await submitAndWait(contract, 'Put', { arguments: [keyB, 'beta'] });

        const proposal = contract.newProposal('AddTo', { arguments: [counter, '5'] });
        const transaction = await proposal.endorse();
        const commit = await transaction.submit();
        report.splitFlow = {
            transactionId: proposal.getTransactionId(),
            result: text(transaction.getResult()),
            status: describeStatus(await commit.getStatus()),
        };

        report.liveEvents = await readEventsUntil(liveEvents, report.submitAsync.transactionId);
    } finally {
        liveEvents.close();
    }

    const replay = await network.getChaincodeEvents(chaincode, {
        startBlock: BigInt(report.submitAsync.status.blockNumber),
    });
    try {
        report.replayedEvents = await readEventsUntil(replay, report.submitAsync.transactionId);
    } finally {
        replay.close();
    }

    report.block = await firstBlockEvent(network, report.submitAsync.status.blockNumber);
    report.filteredBlock = await firstFilteredBlockEvent(
        network,
        report.submitAsync.status.blockNumber,
    );

    report.evaluateMissing = await captureError(() =>
        contract.evaluateTransaction('Get', `${prefix}missing`),
    );
    report.submitFailure = await captureError(() =>
        contract.submitTransaction('Fail', `refused by ${prefix}`),
    );
    report.unknownFunction = await captureError(() =>
        contract.evaluateTransaction('NoSuchFunction'),
    );
    report.singleOrgEndorsement = await captureError(() =>
        contract.submit('Put', { arguments: [`${prefix}single`, 'x'], endorsingOrganizations: [mspId] }),
    );
    return report;
}
