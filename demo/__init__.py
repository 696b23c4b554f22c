"""The demo market day: ``python -m demo`` (what ``make demo`` runs).

A devnet (or, with ``--fabric``, a real Fabric network) is started in a demo home, the
GridLedger chaincode is served, and one simulated day of an electricity market is played through
the typed client ``gridledger.energy``: participants and meters registered, a tariff set, offers
posted and bought, readings signed by each simulated meter and submitted in bulk, settlement, and
itemised bills with renewable-certificate matching, each checked with ``verify_bill``.
"""
