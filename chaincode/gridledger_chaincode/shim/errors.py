"""Errors raised to contract code by the shim."""


class ChaincodeStubError(Exception):
    """The peer answered a stub request with ERROR, or the stream to the peer is gone.

    The message is the peer's error text, so contract code that lets it propagate hands the
    peer's reason back as the transaction's error message.
    """
