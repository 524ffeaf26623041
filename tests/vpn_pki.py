"""Certificates as the Client VPN tutorial makes them with easy-rsa: a CA, a server
certificate (serverAuth) and client certificates (clientAuth), each with the key usages
OpenVPN checks (`remote-cert-tls server`), made with `cryptography`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )


def _issue(name: str, issuer: Issued | None, usage: str) -> Issued:
    key = rsa.generate_private_key(65537, 2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    ca = usage == "ca"
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=not ca,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=False,
        )
    )
    if not ca:
        purpose = (
            ExtendedKeyUsageOID.SERVER_AUTH
            if usage == "server"
            else ExtendedKeyUsageOID.CLIENT_AUTH
        )
        builder = builder.add_extension(x509.ExtendedKeyUsage([purpose]), critical=False)
        if usage == "server":
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False
            )
    signer = issuer.key if issuer else key
    return Issued(builder.sign(signer, hashes.SHA256()), key)


@dataclass(frozen=True)
class VpnPki:
    ca: Issued
    server: Issued
    client: Issued

    def another_client(self, name: str) -> Issued:
        return _issue(name, self.ca, "client")


def make_vpn_pki(org: str = "privlink-test") -> VpnPki:
    ca = _issue(f"{org} CA", None, "ca")
    return VpnPki(ca, _issue("server", ca, "server"), _issue("client1.domain.tld", ca, "client"))


def import_pair(acm: object, pki: VpnPki) -> tuple[str, str]:
    """(server ARN, client ARN) imported as the tutorial does, each with the CA as chain."""
    arns = []
    for leaf in (pki.server, pki.client):
        arns.append(
            acm.import_certificate(  # type: ignore[attr-defined]
                Certificate=leaf.pem, PrivateKey=leaf.key_pem, CertificateChain=pki.ca.pem
            )["CertificateArn"]
        )
    return arns[0], arns[1]
