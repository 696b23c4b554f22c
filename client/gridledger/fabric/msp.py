"""Load a signing identity from an MSP folder (cryptogen or Fabric CA client layout)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)
from gridledger.errors import GridLedgerError
from gridledger.fabric.identity import Identity
from gridledger.fabric.nodeous import NodeOUs, read_node_ous
from gridledger.fabric.signer import Signer


class MspError(GridLedgerError, ValueError):
    """The MSP folder is missing something or its key does not match its certificate."""


@dataclass(frozen=True)
class MspFolder:
    """What an MSP folder holds that a client needs."""

    path: Path
    identity: Identity
    signer: Signer
    ca_certs: list[bytes] = field(default_factory=list)
    intermediate_certs: list[bytes] = field(default_factory=list)
    tls_ca_certs: list[bytes] = field(default_factory=list)
    node_ous: NodeOUs = field(default_factory=NodeOUs)

    @property
    def node_ou(self) -> str | None:
        """The identity's role by config.yaml NodeOUs, else by its subject OU."""
        return self.node_ous.role_of(self.identity.organizational_units) or self.identity.node_ou


def _pem_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _read_all(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in _pem_files(folder)]


def _public_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _matching_signer(keystore: Path, identity: Identity) -> Signer:
    wanted = identity.x509.public_key()
    if not isinstance(wanted, ec.EllipticCurvePublicKey):
        raise MspError("signing certificate does not hold an elliptic-curve public key")
    candidates = _pem_files(keystore)
    if not candidates:
        raise MspError(f"no private key in {keystore}")
    for path in candidates:
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError):
            continue
        if isinstance(key, ec.EllipticCurvePrivateKey) and _public_bytes(
            key.public_key()
        ) == _public_bytes(wanted):
            return Signer(key)
    raise MspError(f"no private key in {keystore} matches the signing certificate")


def read_msp(msp_dir: str | Path, msp_id: str) -> MspFolder:
    """Read signcerts, keystore, cacerts, intermediatecerts, tlscacerts and config.yaml."""
    path = Path(msp_dir)
    if not path.is_dir():
        raise MspError(f"MSP folder not found: {path}")
    signcerts = _pem_files(path / "signcerts")
    if not signcerts:
        raise MspError(f"no signing certificate in {path / 'signcerts'}")
    identity = Identity(msp_id=msp_id, certificate=signcerts[0].read_bytes())
    signer = _matching_signer(path / "keystore", identity)
    return MspFolder(
        path=path,
        identity=identity,
        signer=signer,
        ca_certs=_read_all(path / "cacerts"),
        intermediate_certs=_read_all(path / "intermediatecerts"),
        tls_ca_certs=_read_all(path / "tlscacerts"),
        node_ous=read_node_ous(path),
    )


def load_msp(msp_dir: str | Path, msp_id: str) -> tuple[Identity, Signer]:
    """The identity and signer of an MSP folder."""
    folder = read_msp(msp_dir, msp_id)
    return folder.identity, folder.signer
