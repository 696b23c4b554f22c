# unasync: async only
"""The asyncio Gateway client, the one source of the synchronous client.

``tools/unasync.py`` writes ``gridledger.gateway._sync`` from these modules (``async def`` to
``def``, ``await`` dropped, ``AsyncX`` to ``X``, ``aconnect`` to ``connect``); edit these, then
run it. Both talk to the hand-written transports in ``gridledger.gateway.transport``.
"""
# unasync: end
