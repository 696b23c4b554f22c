"""How the bridge and the simulator reach a broker: their TLS context, and a first connection
that turns the broker's refusal (its certificate not verified, a client certificate missing or
not trusted, credentials refused) into one ``BrokerRefused`` naming the broker and the failure.

paho retries every failed connection in its network thread and only logs why; a refusal is a
configuration error, not an outage, so ``check_broker`` makes one MQTT connection first (a
CONNECT with a throwaway client id and a clean session, so the bridge's persistent session is
untouched) and reads the CONNACK. Under TLS 1.3 a server refusing the client's certificate
says so only after the handshake, on the first read: hence the CONNACK, not just a handshake.
"""

from __future__ import annotations

import socket
import ssl
import struct
import uuid
from pathlib import Path

from gridledger_domain.errors import GridLedgerError

CONNACK_CODES = {
    1: "unacceptable protocol version",
    2: "client identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorised",
}


class BrokerRefused(GridLedgerError):
    """The broker refused the connection (TLS or MQTT): retrying would not help."""


class BrokerUnreachable(GridLedgerError):
    """The broker could not be reached (not listening, network down): may be retried."""


def tls_context(
    tls_ca: Path | None, cert: Path | None = None, key: Path | None = None
) -> ssl.SSLContext | None:
    """The client's TLS context (None: plain MQTT): the broker verified against ``tls_ca``
    (default: the system's CAs) and, with ``cert``, the client's certificate and key."""
    if tls_ca is None and cert is None and key is None:
        return None
    if (cert is None) != (key is None):
        raise BrokerRefused("a client certificate needs both --cert and --key")
    try:
        context = ssl.create_default_context(cafile=str(tls_ca) if tls_ca else None)
    except (OSError, ssl.SSLError) as error:
        raise BrokerRefused(f"cannot read the broker's CA {tls_ca}: {_reason(error)}") from None
    if cert is not None and key is not None:
        try:
            context.load_cert_chain(str(cert), str(key))
        except (OSError, ssl.SSLError) as error:
            raise BrokerRefused(
                f"cannot load the client certificate {cert} with its key {key}: {_reason(error)}"
            ) from None
    return context


def _reason(error: BaseException) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return str(error.verify_message)
    if isinstance(error, ssl.SSLError) and error.reason:
        return str(error.reason).replace("_", " ").lower()
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("!H", len(data)) + data


def connect_packet(client_id: str, username: str | None, password: str | None) -> bytes:
    """An MQTT 3.1.1 CONNECT with a clean session."""
    flags = 0x02
    payload = _string(client_id)
    if username is not None:
        flags |= 0x80
        payload += _string(username)
        if password is not None:
            flags |= 0x40
            payload += _string(password)
    body = _string("MQTT") + bytes([4, flags]) + struct.pack("!H", 30) + payload
    length, encoded = len(body), b""
    while True:
        byte, length = length % 128, length // 128
        encoded += bytes([byte | (0x80 if length else 0)])
        if not length:
            break
    return b"\x10" + encoded + body


def _hint(reason: str, cert: Path | None) -> str:
    if "certificate required" in reason or ("handshake failure" in reason and cert is None):
        return " (it requires a client certificate: pass --cert and --key)"
    if cert is not None and ("unknown ca" in reason or "bad certificate" in reason):
        return f" (it does not trust the client certificate {cert}: not issued by its clients' CA)"
    if "certificate" in reason and "expired" in reason:
        return " (a certificate has expired)"
    return ""


def _receive(tls: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = tls.recv(count - len(data))
        if not chunk:
            break
        data += chunk
    return data


def check_broker(
    host: str,
    port: int,
    context: ssl.SSLContext | None,
    *,
    cert: Path | None = None,
    username: str | None = None,
    password: str | None = None,
    timeout: float = 10.0,
) -> None:
    """Connect once and disconnect: ``BrokerRefused`` if the broker refuses us (TLS or MQTT),
    ``BrokerUnreachable`` if it cannot be reached."""
    where = f"{host}:{port}"
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError as error:
        raise BrokerUnreachable(f"cannot reach the broker {where}: {_reason(error)}") from None
    try:
        try:
            sock = raw if context is None else context.wrap_socket(raw, server_hostname=host)
        except ssl.SSLCertVerificationError as error:
            raise BrokerRefused(
                f"the broker {where}'s certificate does not verify: {_reason(error)} "
                "(check --tls-ca)"
            ) from None
        with sock:
            client_id = f"gridledger-check-{uuid.uuid4().hex[:12]}"
            try:
                sock.sendall(connect_packet(client_id, username, password))
            except OSError:
                # the broker's alert (TLS 1.3: sent after the handshake) may have closed the
                # connection before our CONNECT went out: the alert is still there to read
                sock.recv(1)
                raise
            answer = _receive(sock, 4)
            if len(answer) == 4 and answer[0] == 0x20:
                sock.sendall(b"\xe0\x00")  # DISCONNECT
    except ssl.SSLError as error:
        reason = _reason(error)
        raise BrokerRefused(
            f"the broker {where} refused the TLS connection: {reason}{_hint(reason, cert)}"
        ) from None
    except OSError as error:
        raise BrokerUnreachable(
            f"the broker {where} closed the connection: {_reason(error)}"
        ) from None
    finally:
        raw.close()
    if len(answer) < 4 or answer[0] != 0x20:
        raise BrokerUnreachable(f"the broker {where} closed the connection without a CONNACK")
    if answer[3] != 0:
        what = CONNACK_CODES.get(answer[3], f"code {answer[3]}")
        raise BrokerRefused(f"the broker {where} refused the connection: {what}")
