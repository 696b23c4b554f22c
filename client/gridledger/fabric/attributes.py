"""Fabric CA attributes: X.509 extension 1.2.3.4.5.6.7.8.1 holding JSON {"attrs": {...}}."""

from __future__ import annotations

import json

from cryptography import x509

FABRIC_CA_ATTRIBUTES_OID = x509.ObjectIdentifier("1.2.3.4.5.6.7.8.1")


def certificate_attributes(certificate: x509.Certificate) -> dict[str, str]:
    """The Fabric CA attributes of ``certificate`` (empty when it has none)."""
    try:
        extension = certificate.extensions.get_extension_for_oid(FABRIC_CA_ATTRIBUTES_OID)
    except x509.ExtensionNotFound:
        return {}
    value = extension.value
    raw = value.value if isinstance(value, x509.UnrecognizedExtension) else b""
    if not raw:
        return {}
    document = json.loads(raw.decode("utf-8"))
    attrs = document.get("attrs", {}) if isinstance(document, dict) else {}
    if not isinstance(attrs, dict):
        raise ValueError("Fabric CA attributes extension: 'attrs' is not an object")
    return {str(name): str(attr) for name, attr in attrs.items()}
