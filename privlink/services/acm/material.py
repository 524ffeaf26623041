"""Certificate material: ImportCertificate's checks and what ACM reads from an X.509.

ACM's import rules (API reference for ImportCertificate and the user guide's
"Prerequisites for importing ACM certificates"): certificate, key and chain
are PEM; the certificate field holds exactly one X.509 version 3 certificate
with a non-empty Issuer and at least one name; the private key is
unencrypted, matches the certificate's public key and is RSA 1024/2048/3072/
4096 or ECDSA P-256/P-384/P-521; the current time lies between NotBefore and
NotAfter; each certificate of the chain directly certifies the one before it.
Every refusal is a ValidationException, as ACM answers.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from privlink import errors
from privlink.services.acm.records import Facts

CERTIFICATE_MAX = 32_768
PRIVATE_KEY_MAX = 5_120
CHAIN_MAX = 2_097_152
RSA_SIZES = (1024, 2048, 3072, 4096)
CURVES = {"secp256r1": "EC_prime256v1", "secp384r1": "EC_secp384r1", "secp521r1": "EC_secp521r1"}
PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"

KEY_USAGES = (
    ("digital_signature", "DIGITAL_SIGNATURE"),
    ("content_commitment", "NON_REPUDIATION"),
    ("key_encipherment", "KEY_ENCIPHERMENT"),
    ("data_encipherment", "DATA_ENCIPHERMENT"),
    ("key_agreement", "KEY_AGREEMENT"),
    ("key_cert_sign", "CERTIFICATE_SIGNING"),
    ("crl_sign", "CRL_SIGNING"),
)
EXTENDED_KEY_USAGES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "TLS_WEB_SERVER_AUTHENTICATION",
    ExtendedKeyUsageOID.CLIENT_AUTH: "TLS_WEB_CLIENT_AUTHENTICATION",
    ExtendedKeyUsageOID.CODE_SIGNING: "CODE_SIGNING",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "EMAIL_PROTECTION",
    ExtendedKeyUsageOID.TIME_STAMPING: "TIME_STAMPING",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSP_SIGNING",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE: "ANY",
}

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Material:
    """Checked PEM material, normalised, with the facts ACM reports about it."""

    certificate_pem: str
    private_key_pem: str
    chain_pem: str | None
    facts: Facts


def check_sizes(certificate: bytes, private_key: bytes, chain: bytes | None) -> None:
    """The model's length limits (the gateway checks presence, not lengths)."""
    for member, value, limit in (
        ("certificate", certificate, CERTIFICATE_MAX),
        ("privateKey", private_key, PRIVATE_KEY_MAX),
        ("certificateChain", chain, CHAIN_MAX),
    ):
        if value is not None and not 1 <= len(value) <= limit:
            raise errors.AcmConstraint(
                member, f"have length less than or equal to {limit} and greater than 0"
            )


def load(certificate: bytes, private_key: bytes, chain: bytes | None, now: dt.datetime) -> Material:
    """ImportCertificate's material, checked in the order ACM reports problems."""
    check_sizes(certificate, private_key, chain)
    cert = _one_certificate(certificate)
    key = _private_key(private_key)
    facts = describe(cert, key)
    if _spki(cert.public_key()) != _spki(key.public_key()):
        raise errors.PrivateKeyMismatch()
    if now < cert.not_valid_before_utc:
        raise errors.CertificateNotYetValid(_iso(cert.not_valid_before_utc))
    if now > cert.not_valid_after_utc:
        raise errors.CertificateExpired(_iso(cert.not_valid_after_utc))
    chain_pem = _checked_chain(cert, chain) if chain else None
    return Material(_pem(cert), _key_pem(key), chain_pem, facts)


def describe(cert: x509.Certificate, key: PrivateKey) -> Facts:
    """What DescribeCertificate reports about a certificate (refusing what ACM refuses)."""
    if cert.version != x509.Version.v3:
        raise errors.CertificateNotVersion3()
    if not list(cert.issuer):
        raise errors.CertificateWithoutIssuer()
    names = _names(cert)
    if not names:
        raise errors.CertificateWithoutDomain()
    usages, extended = _usages(cert)
    return Facts(
        domain_name=_common_name(cert) or names[0],
        names=names,
        key_algorithm=key_algorithm(key),
        signature_algorithm=_signature_algorithm(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        issuer=_issuer(cert.issuer),
        subject=_dn(cert.subject),
        serial=":".join(f"{b:02x}" for b in _serial_bytes(cert.serial_number)),
        key_usages=usages,
        extended_key_usages=extended,
    )


def key_algorithm(key: PrivateKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size not in RSA_SIZES:
            raise errors.PrivateKeyLengthUnsupported(str(key.key_size), "RSA")
        return f"RSA_{key.key_size}"
    name = CURVES.get(key.curve.name)
    if name is None:
        raise errors.PrivateKeyLengthUnsupported(str(key.curve.key_size), "EC")
    return name


def _spki(public: CertificatePublicKeyTypes) -> bytes:
    return public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _one_certificate(raw: bytes) -> x509.Certificate:
    if raw.count(PEM_CERTIFICATE) > 1:
        raise errors.CertificateNotSingle()
    try:
        return x509.load_pem_x509_certificate(raw.strip())
    except ValueError as exc:
        raise errors.CertificateUnparseable() from exc


def _private_key(raw: bytes) -> PrivateKey:
    if b"ENCRYPTED" in raw:
        raise errors.PrivateKeyEncrypted()
    try:
        key = serialization.load_pem_private_key(raw.strip(), password=None)
    except TypeError as exc:  # a password-protected key
        raise errors.PrivateKeyEncrypted() from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise errors.PrivateKeyUnparseable() from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise errors.PrivateKeyUnsupported()
    return key


def _checked_chain(cert: x509.Certificate, raw: bytes) -> str:
    """The chain, each certificate certifying the one before it (the first: `cert`)."""
    try:
        chain = x509.load_pem_x509_certificates(raw.strip())
    except ValueError as exc:
        raise errors.CertificateChainUnparseable() from exc
    child = cert
    for parent in chain:
        if not signs(parent, child):
            raise errors.CertificateChainMismatch()
        child = parent
    return "".join(_pem(c) for c in chain)


def signs(parent: x509.Certificate, child: x509.Certificate) -> bool:
    """True when `parent` issued `child`: names chain up and the signature verifies."""
    if parent.subject != child.issuer:
        return False
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _names(cert: x509.Certificate) -> list[str]:
    """SubjectAlternativeNames as ACM lists them: DNS names and IP addresses, else the CN."""
    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        common = _common_name(cert)
        return [common] if common else []
    found: list[str] = list(extension.value.get_values_for_type(x509.DNSName))
    ips: list[ipaddress.IPv4Address | ipaddress.IPv6Address | ipaddress.IPv4Network] = []
    ips.extend(extension.value.get_values_for_type(x509.IPAddress))  # type: ignore[arg-type]
    found.extend(str(ip) for ip in ips)
    return list(dict.fromkeys(found))


def _common_name(cert: x509.Certificate) -> str | None:
    values = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else None


def _usages(cert: x509.Certificate) -> tuple[list[str], list[tuple[str, str]]]:
    usages: list[str] = []
    extended: list[tuple[str, str]] = []
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        usages = [name for attr, name in KEY_USAGES if getattr(ku, attr)]
        if ku.key_agreement and ku.encipher_only:
            usages.append("ENCIPHER_ONLY")
        if ku.key_agreement and ku.decipher_only:
            usages.append("DECIPHER_ONLY")
    except x509.ExtensionNotFound:
        pass
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        extended = [(EXTENDED_KEY_USAGES.get(oid, "CUSTOM"), oid.dotted_string) for oid in eku]
    except x509.ExtensionNotFound:
        pass
    return usages, extended


def _signature_algorithm(cert: x509.Certificate) -> str:
    """As ACM names it: SHA256WITHRSA, SHA384WITHECDSA, SHA256WITHRSAANDMGF1 (RSASSA-PSS)."""
    hashing = cert.signature_hash_algorithm
    parameters = cert.signature_algorithm_parameters
    if hashing is None:
        return cert.signature_algorithm_oid.dotted_string
    if isinstance(parameters, padding.PSS):
        family = "RSAANDMGF1"
    elif isinstance(parameters, ec.ECDSA):
        family = "ECDSA"
    else:
        family = "RSA"
    return f"{hashing.name.upper()}WITH{family}"


def _issuer(name: x509.Name) -> str:
    """ACM's Issuer is the issuing organisation ("Amazon"), else its common name."""
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        values = name.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value)
    return _dn(name)


def _dn(name: x509.Name) -> str:
    """A distinguished name in certificate order: "C=US,O=Example,CN=www.example.com"."""
    return ",".join(
        f"{attribute.rfc4514_attribute_name}={attribute.value!s}"
        for rdn in name.rdns
        for attribute in rdn
    )


def _serial_bytes(serial: int) -> bytes:
    return serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big")


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _key_pem(key: PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
