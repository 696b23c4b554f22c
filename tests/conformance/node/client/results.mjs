// Plain-JSON views of fabric-gateway results and errors.
import { CommitError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';

const decoder = new TextDecoder();

export function text(bytes) {
    return bytes === undefined || bytes === null ? null : decoder.decode(bytes);
}

export function describeError(error) {
    if (error instanceof CommitError) {
        return {
            type: 'CommitError',
            code: error.code,
            transactionId: error.transactionId,
            message: error.message,
        };
    }
    if (error instanceof GatewayError) {
        return {
            type: error instanceof EndorseError ? 'EndorseError' : error.constructor.name,
            code: error.code,
            transactionId: error.transactionId ?? null,
            message: error.message,
            details: error.details.map((detail) => ({
                address: detail.address,
                mspId: detail.mspId,
                message: detail.message,
            })),
        };
    }
    return { type: error?.constructor?.name ?? 'Error', message: String(error?.message ?? error) };
}
