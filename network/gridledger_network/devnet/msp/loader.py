"""Build an ``OrgMSP`` from an organisation's MSP folder (cacerts, tlscacerts)."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from gridledger_network.devnet.msp.provider import OrgMSP


def _certs(folder: Path) -> tuple[x509.Certificate, ...]:
    if not folder.is_dir():
        return ()
    return tuple(
        x509.load_pem_x509_certificate(p.read_bytes()) for p in sorted(folder.glob("*.pem"))
    )


def load_org_msp(msp_dir: Path, msp_id: str) -> OrgMSP:
    roots = _certs(msp_dir / "cacerts")
    if not roots:
        raise FileNotFoundError(f"{msp_dir}/cacerts holds no CA certificate for {msp_id}")
    return OrgMSP(msp_id, roots, _certs(msp_dir / "tlscacerts"))
