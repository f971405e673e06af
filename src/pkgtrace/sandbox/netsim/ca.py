"""The per-run certificate authority the guest trusts, and the leaf certificates it signs.

Minted fresh for every run (nothing a package learns in one run helps in the next) and kept only
in the run's folder. The simulator signs a leaf for whatever name the client asks for (SNI), or
for the address it dialled when it names none, so every HTTPS request can be read whole.
"""

from __future__ import annotations

import datetime
import ipaddress
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# An ordinary-looking issuer: a package that greps the trust store for "pkgtrace" learns nothing.
CA_NAME = "Build Infrastructure Root CA"
MAX_NAME = 253
LEAF_CACHE = 512


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@dataclass
class RunCA:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    _leaf_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    _leaves: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def mint(cls) -> "RunCA":
        key = ec.generate_private_key(ec.SECP256R1())
        now = _now()
        cert = (x509.CertificateBuilder()
                .subject_name(_name(CA_NAME)).issuer_name(_name(CA_NAME))
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=400))
                .not_valid_after(now + datetime.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                             content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        return cls(cert, key)

    @classmethod
    def load(cls, cert_pem: bytes, key_pem: bytes) -> "RunCA":
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the run CA key must be an EC key")
        return cls(x509.load_pem_x509_certificate(cert_pem), key)

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def write(self, folder: Path) -> tuple[Path, Path]:
        """CA certificate and key as PEM files in FOLDER (the key readable by root only)."""
        cert, key = folder / "run-ca.pem", folder / "run-ca.key"
        cert.write_bytes(self.cert_pem())
        key.touch(mode=0o600)
        key.write_bytes(self.key_pem())
        return cert, key

    def leaf_key_pem(self) -> bytes:
        return self._leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())

    def leaf_pem(self, name: str) -> bytes:
        """A certificate chain (leaf, CA) for NAME, a DNS name or an IP address; cached per name."""
        name = name[:MAX_NAME]
        with self._lock:
            if name in self._leaves:
                return self._leaves[name]
        try:
            san: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(name))
        except ValueError:
            san = x509.DNSName(_dns_name(name))
        now = _now()
        cert = (x509.CertificateBuilder()
                .subject_name(_name(_common(name))).issuer_name(self.cert.subject)
                .public_key(self._leaf_key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=30))
                .not_valid_after(now + datetime.timedelta(days=90))
                .add_extension(x509.SubjectAlternativeName([san]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        chain = cert.public_bytes(serialization.Encoding.PEM) + self.cert_pem()
        with self._lock:
            if len(self._leaves) >= LEAF_CACHE:
                self._leaves.clear()
            self._leaves[name] = chain
        return chain


def _dns_name(name: str) -> str:
    # x509 wants A-labels; a hostile SNI may be anything, so fall back to a safe spelling.
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return "".join(c if c.isascii() and (c.isalnum() or c in ".-*") else "-" for c in name) or "-"


def _common(name: str) -> str:
    return name[:64] or "-"  # X.509 caps CN at 64 characters
