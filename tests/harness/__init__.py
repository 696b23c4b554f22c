"""Test harness: starts a devnet and chaincode servers as real processes for pytest fixtures.

Importable as ``harness`` because pytest puts ``tests/`` on ``sys.path`` for ``tests/conftest.py``.
"""
