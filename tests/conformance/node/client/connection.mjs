// Reads the devnet's network.json and an MSP folder, and connects fabric-gateway to one org's peer.
import { readFile, readdir } from 'node:fs/promises';
import { createPrivateKey } from 'node:crypto';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers } from '@hyperledger/fabric-gateway';

async function firstFile(directory) {
    const names = (await readdir(directory)).filter((name) => !name.startsWith('.')).sort();
    if (names.length === 0) {
        throw new Error(`no file in ${directory}`);
    }
    return path.join(directory, names[0]);
}

export async function loadMsp(mspDir, mspId) {
    const certificate = await readFile(await firstFile(path.join(mspDir, 'signcerts')));
    const keyPem = await readFile(await firstFile(path.join(mspDir, 'keystore')));
    const identity = { mspId, credentials: certificate };
    const signer = signers.newPrivateKeySigner(createPrivateKey(keyPem));
    return { identity, signer };
}

export async function connectGateway(options) {
    const profile = JSON.parse(await readFile(options.networkFile, 'utf8'));
    const organization = profile.organizations?.[options.mspId];
    if (!organization) {
        throw new Error(`organization ${options.mspId} is not in ${options.networkFile}`);
    }
    const mspDir = organization.users?.[options.user];
    if (!mspDir) {
        throw new Error(`user ${options.user} of ${options.mspId} is not in ${options.networkFile}`);
    }
    const tlsRootCert = await readFile(organization.tls_ca_cert);
    const channelOptions = {};
    if (options.hostOverride && organization.peer_host) {
        channelOptions['grpc.ssl_target_name_override'] = organization.peer_host;
    }
    const client = new grpc.Client(
        organization.peer_endpoint,
        grpc.credentials.createSsl(tlsRootCert),
        channelOptions,
    );
    const { identity, signer } = await loadMsp(mspDir, options.mspId);
    const deadline = () => ({ deadline: Date.now() + options.timeoutMs });
    const gateway = connect({
        client,
        identity,
        signer,
        hash: hash.SHA256,
        evaluateOptions: deadline,
        endorseOptions: deadline,
        submitOptions: deadline,
        commitStatusOptions: deadline,
        chaincodeEventsOptions: deadline,
        blockEventsOptions: deadline,
        filteredBlockEventsOptions: deadline,
    });
    return {
        gateway,
        channel: options.channel ?? profile.channel,
        close: () => {
            gateway.close();
            client.close();
        },
    };
}
