# unasync: async only
"""The asyncio retry loop, the one source of the synchronous one (``tools/unasync.py``)."""
# unasync: end
