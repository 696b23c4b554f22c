"""Chaincode events requests: ``gateway.Gateway/ChaincodeEvents`` (signed request, stream).

What the asyncio class (``_async``) and its generated sync twin (``_sync``) share.
"""

from __future__ import annotations

from typing import Any

from gridledger.gateway.context import ClientContext
from gridledger.gateway.signable import SignedRequest


class ChaincodeEventsRequestBase(SignedRequest):
    """A signed ChaincodeEvents request, either flavour."""

    def __init__(self, context: ClientContext, signed_request: Any) -> None:
        super().__init__(context)
        self._request = signed_request
