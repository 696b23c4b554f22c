# unasync: async only
"""The asyncio energy client, the one source of the synchronous one (``client/unasync.py``)."""
# unasync: end
