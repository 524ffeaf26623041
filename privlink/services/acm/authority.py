"""The certificate authority that issues RequestCertificate's certificates.

On AWS, Amazon's public CAs sign ACM certificates. privlink has its own: a
root kept under the state dir (acm/ca.pem and acm/ca-key.pem, created on
first use, reused after), which GetCertificate returns as the chain. A
client trusts privlink-issued certificates by trusting that file, exactly
as it trusts privlink's API through the local CA of privlink/tls.py.
(tls.py keeps only its CA certificate, not its key, so ACM cannot sign
under that root; see the docs section on ACM.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from privlink.services.acm.material import PrivateKey

ISSUED_DAYS = 395  # ACM's public certificates are valid for 13 months
CA_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "privlink"),
        x509.NameAttribute(NameOID.COMMON_NAME, "privlink ACM Root CA"),
    ]
)


@dataclass(frozen=True)
class Issued:
    certificate_pem: str
    private_key_pem: str
    chain_pem: str


def new_key(algorithm: str) -> PrivateKey:
    """A key for RequestCertificate's KeyAlgorithm (RSA_2048, EC_prime256v1, EC_secp384r1)."""
    if algorithm.startswith("RSA_"):
        return rsa.generate_private_key(65537, int(algorithm.removeprefix("RSA_")))
    curve: ec.EllipticCurve = {
        "EC_prime256v1": ec.SECP256R1(),
        "EC_secp384r1": ec.SECP384R1(),
        "EC_secp521r1": ec.SECP521R1(),
    }[algorithm]
    return ec.generate_private_key(curve)


class Authority:
    """ACM's issuing CA, created under `folder` the first time it signs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._loaded: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.pem"

    def issue(self, domain: str, names: list[str], algorithm: str, now: dt.datetime) -> Issued:
        """A server certificate for `names` (the first is the subject's CN)."""
        ca, ca_key = self._ca(now)
        key = new_key(algorithm)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=ISSUED_DAYS))
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_server_key_usage(key), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        return Issued(
            cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
            ca.public_bytes(serialization.Encoding.PEM).decode(),
        )

    def _ca(self, now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        if self._loaded is None:
            key_file = self.folder / "ca-key.pem"
            if not (self.ca_file.exists() and key_file.exists()):
                self._create(key_file, now)
            key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            self._loaded = (x509.load_pem_x509_certificate(self.ca_file.read_bytes()), key)
        return self._loaded

    def _create(self, key_file: Path, now: dt.datetime) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP384R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(CA_NAME)
            .issuer_name(CA_NAME)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA384())
        )
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_file.chmod(0o600)
        self.ca_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _server_key_usage(key: PrivateKey) -> x509.KeyUsage:
    return _key_usage(digital_signature=True, key_encipherment=isinstance(key, rsa.RSAPrivateKey))


def _ca_key_usage() -> x509.KeyUsage:
    return _key_usage(digital_signature=True, key_cert_sign=True, crl_sign=True)


def _key_usage(
    digital_signature: bool = False,
    key_encipherment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )
