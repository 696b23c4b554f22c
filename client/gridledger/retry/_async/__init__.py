# unasync: async only
"""The asyncio retry loop, the one source of the synchronous one (``client/unasync.py``)."""
# unasync: end
