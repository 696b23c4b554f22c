"""CCaaS server settings from the usual chaincode-as-a-service environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}


class SettingsError(ValueError):
    """A missing or unreadable CCaaS setting."""


@dataclass(frozen=True)
class TlsSettings:
    """PEM bytes of the server's key and certificate, and of the CA for peers' client certs."""

    key: bytes
    cert: bytes
    client_ca_cert: bytes | None = None


@dataclass(frozen=True)
class ServerSettings:
    address: str
    chaincode_id: str
    tls: TlsSettings | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ServerSettings:
        """Read CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID, CHAINCODE_TLS_DISABLED,
        CHAINCODE_TLS_KEY, CHAINCODE_TLS_CERT and CHAINCODE_CLIENT_CA_CERT (file paths)."""
        address = env.get("CHAINCODE_SERVER_ADDRESS", "").strip()
        chaincode_id = env.get("CHAINCODE_ID", "").strip()
        if not address:
            raise SettingsError("CHAINCODE_SERVER_ADDRESS must be set (host:port to listen on)")
        if not chaincode_id:
            raise SettingsError("CHAINCODE_ID must be set (the chaincode package id)")
        tls = None
        if env.get("CHAINCODE_TLS_DISABLED", "").strip().lower() not in _TRUE:
            key_path = env.get("CHAINCODE_TLS_KEY", "").strip()
            cert_path = env.get("CHAINCODE_TLS_CERT", "").strip()
            if not key_path or not cert_path:
                raise SettingsError(
                    "TLS is enabled but CHAINCODE_TLS_KEY and CHAINCODE_TLS_CERT are not both set "
                    "(set CHAINCODE_TLS_DISABLED=true to serve without TLS)"
                )
            client_ca_path = env.get("CHAINCODE_CLIENT_CA_CERT", "").strip()
            tls = TlsSettings(
                key=_read(key_path, "CHAINCODE_TLS_KEY"),
                cert=_read(cert_path, "CHAINCODE_TLS_CERT"),
                client_ca_cert=(
                    _read(client_ca_path, "CHAINCODE_CLIENT_CA_CERT") if client_ca_path else None
                ),
            )
        return cls(address=address, chaincode_id=chaincode_id, tls=tls)


def _read(path: str, variable: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SettingsError(f"{variable}: cannot read {path}: {exc.strerror}") from None
