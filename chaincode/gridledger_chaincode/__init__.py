"""GridLedger chaincode: our Fabric shim, a contract API on it and the contracts, as CCaaS."""

__version__ = "0.1.0"
