# unasync: async only
"""The asyncio energy client, the one source of the synchronous one (``tools/unasync.py``)."""
# unasync: end
