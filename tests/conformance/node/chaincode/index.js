'use strict';
// The Node chaincode used as a conformance yardstick: Hyperledger's fabric-contract-api serving
// the `kv` contract (see tests/conformance/node/README.md).
const { KvContract } = require('./kv');

module.exports.KvContract = KvContract;
module.exports.contracts = [KvContract];
