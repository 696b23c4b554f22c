"""The signing identity of a devnet node (each org's peer, the orderer) from its MSP folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from fabric_protos.common import common_pb2

from gridledger_network.devnet.msp.provider import serialize_identity
from gridledger_network.devnet.msp.signature import sign_low_s
from gridledger_network.devnet.msp.verified import VERIFIED, memo_key


@dataclass(frozen=True)
class LocalSigner:
    msp_id: str
    certificate_pem: bytes
    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def from_msp_dir(cls, msp_dir: Path, msp_id: str) -> LocalSigner:
        """Load ``signcerts/*.pem`` and ``keystore/*`` (cryptogen / Fabric CA layout)."""
        certs = sorted((msp_dir / "signcerts").glob("*.pem"))
        keys = sorted(p for p in (msp_dir / "keystore").iterdir() if p.is_file())
        if not certs or not keys:
            raise FileNotFoundError(f"{msp_dir}: needs signcerts/*.pem and a keystore key")
        key = serialization.load_pem_private_key(keys[0].read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{keys[0]}: not an EC private key")
        return cls(msp_id, certs[0].read_bytes(), key)

    @cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem)

    @cached_property
    def _certificate_der(self) -> bytes:
        return self.certificate.public_bytes(Encoding.DER)

    @property
    def serialized_identity(self) -> bytes:
        """``msp.SerializedIdentity`` bytes (the endorser / creator field)."""
        return serialize_identity(self.msp_id, self.certificate_pem)

    def sign(self, message: bytes) -> bytes:
        """DER ECDSA signature over SHA-256(message), low-S (remembered as valid, see verified)."""
        signature = sign_low_s(self.private_key, message)
        VERIFIED.add(memo_key(self._certificate_der, message, signature))
        return signature

    def new_signature_header(self) -> bytes:
        """A serialized ``common.SignatureHeader`` with this creator and a fresh 24-byte nonce."""
        header = common_pb2.SignatureHeader(creator=self.serialized_identity, nonce=os.urandom(24))
        return bytes(header.SerializeToString())
