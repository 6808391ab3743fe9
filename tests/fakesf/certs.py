"""Key material made at test time: the HTTPS certificate and the JWT signing key pair.

RSA key generation is the slow part of starting the fake (tens of milliseconds per key), so the
material is made once per test session and each server only writes it to its own folder.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class TlsMaterial:
    certificate_pem: bytes
    private_key_pem: bytes


@dataclass(frozen=True)
class JwtKeyPair:
    private_key_pem: bytes
    public_key: rsa.RSAPublicKey


def _new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@functools.lru_cache(maxsize=1)
def tls_material() -> TlsMaterial:
    """A self-signed certificate for 127.0.0.1 and localhost; it is its own CA bundle."""
    key = _new_rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake salesforce (tests)")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return TlsMaterial(certificate.public_bytes(serialization.Encoding.PEM), _pem(key))


@functools.lru_cache(maxsize=1)
def jwt_key_pair() -> JwtKeyPair:
    """The connected app's certificate key: the client signs with the private half."""
    key = _new_rsa_key()
    return JwtKeyPair(_pem(key), key.public_key())


def write_private(path: Path, data: bytes) -> Path:
    """Write key material readable by the owner only, as a user would keep a key file."""
    path.touch(mode=0o600)
    path.write_bytes(data)
    return path
