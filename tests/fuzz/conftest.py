"""Fuzz tests: hypothesis drives every chaincode function through the in-memory ledger."""
