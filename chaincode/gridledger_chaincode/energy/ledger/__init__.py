"""The ledger-facing layer of the energy contract: state layout, callers, and one module per
area (participants, meters, readings, market, tariffs, settlement, certificates).

It talks to the ledger only through :class:`~.state.StateStub`, a narrow subset of the chaincode
stub, so it runs unchanged on the peer and on the in-memory ledger of the unit tests."""
