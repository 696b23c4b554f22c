"""The energy domain: participants, meters, readings, market, tariffs, settlement, certificates.

Plain Python (no gRPC, no shim): pure rules here, the ledger-facing layer on a narrow stub
interface. Business rules are written down in docs/settlement.md and docs/meter-readings.md.
"""
