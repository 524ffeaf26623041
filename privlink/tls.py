"""privlink's local certificate authority: one root for everything privlink serves over TLS.

Interface endpoints to AWS services end at privlink's own API over HTTPS,
exactly as on AWS: the SDK inside a VPC talks to https://ec2.REGION.amazonaws.com.
MWAA web servers answer at their environment host names, ACM issues requested
certificates. All of them chain to one CA, created once under the state dir
(tls/ca.pem, and tls/ca-key.pem readable by root only) and reused after, so a
client trusts all of privlink by trusting one file: `privlink env` exports it
as AWS_CA_BUNDLE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
import ssl
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from privlink.domain import regions

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
CA_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "privlink"),
        x509.NameAttribute(NameOID.COMMON_NAME, "privlink local CA"),
    ]
)


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    cert: Path
    key: Path


def pem_key(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


class LocalCA:
    """The CA under `folder`: created on first use, loaded after."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._loaded: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def key_file(self) -> Path:
        return self.folder / "ca-key.pem"

    def exists(self) -> bool:
        return self.ca_file.exists() and self.key_file.exists()

    def root(self) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        if self._loaded is None:
            if not self.exists():
                self._create()
            key = serialization.load_pem_private_key(self.key_file.read_bytes(), password=None)
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            self._loaded = (x509.load_pem_x509_certificate(self.ca_file.read_bytes()), key)
        return self._loaded

    def sign(
        self,
        common_name: str,
        names: Sequence[str],
        key: PrivateKey,
        *,
        days: int = 825,
        addresses: Iterable[str] = (),
        client_auth: bool = False,
        now: dt.datetime | None = None,
    ) -> x509.Certificate:
        """A server (and optionally client) certificate for `names` under this CA."""
        ca, ca_key = self.root()
        now = now or dt.datetime.now(dt.UTC)
        sans: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
        sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
        usages = [ExtendedKeyUsageOID.SERVER_AUTH]
        if client_auth:
            usages.append(ExtendedKeyUsageOID.CLIENT_AUTH)
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _cn(common_name))]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                _key_usage(
                    digital_signature=True, key_encipherment=isinstance(key, rsa.RSAPrivateKey)
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )

    def issue_files(self, folder: Path, stem: str, names: Sequence[str]) -> TlsFiles:
        """A server certificate and key for `names` written as STEM.pem / STEM-key.pem
        under `folder` (reused while they cover the same names)."""
        folder.mkdir(parents=True, exist_ok=True)
        files = TlsFiles(self.ca_file, folder / f"{stem}.pem", folder / f"{stem}-key.pem")
        if files.cert.exists() and files.key.exists() and _covers(files.cert, names, self):
            return files
        key = ec.generate_private_key(ec.SECP256R1())
        cert = self.sign(names[0][:64], names, key)  # CN: 64 characters at most (X.520)
        files.key.write_bytes(pem_key(key))
        files.key.chmod(0o600)
        files.cert.write_bytes(pem_cert(cert))
        return files

    def _create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(dt.UTC)
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
            .add_extension(
                _key_usage(digital_signature=True, key_cert_sign=True, crl_sign=True),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA384())
        )
        self.key_file.write_bytes(pem_key(key))
        self.key_file.chmod(0o600)
        self.ca_file.write_bytes(pem_cert(cert))


def _cn(name: str) -> str:
    """X.509 caps a common name at 64 characters (MWAA host names are longer); clients
    match on the subject alternative names, so a long one is shortened, not refused."""
    return name if len(name) <= 64 else name[:61] + "..."


def server_names(services: Iterable[str]) -> list[str]:
    """The names privlink's API answers to: every region's service host names, for the
    endpoint prefixes of the services it serves (ec2, sns, s3 ...)."""
    names = ["localhost"]
    for region in regions.regions():
        names.append(f"*.{region}.amazonaws.com")
        names.append(f"*.{region}.vpce.amazonaws.com")
        for service in services:
            names.append(f"*.{service}.{region}.vpce.amazonaws.com")
            names.append(f"*.{service}.{region}.amazonaws.com")
    return names


def ensure(state_dir: Path, services: Iterable[str]) -> TlsFiles:
    """The CA and the API's server certificate under state_dir/tls, created when missing
    (or when the served services changed)."""
    ca = LocalCA(state_dir / "tls")
    if not ca.exists():  # an older state dir kept no CA key: start the CA over
        for stale in ("ca.pem", "server.pem", "server-key.pem"):
            (ca.folder / stale).unlink(missing_ok=True)
    names = server_names(services)
    files = ca.issue_files(ca.folder, "server", names)
    return files


# A host name privlink may mint a certificate for: DNS labels, under amazonaws.com or
# localhost (names SDKs build from privlink's endpoints); never anyone else's domain.
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_MINTABLE = re.compile(rf"^(?:{_LABEL}\.)*(?:amazonaws\.com|localhost)$")
MINTED_KEPT = 512  # SSL contexts kept in memory (least recently used go first)


def matches(pattern: str, name: str) -> bool:
    """Whether a certificate name (possibly `*.`) covers a host name, as TLS clients check:
    a wildcard stands for exactly one whole label."""
    pattern, name = pattern.lower(), name.lower().rstrip(".")
    if not pattern.startswith("*."):
        return pattern == name
    head, _, rest = name.partition(".")
    return bool(head) and rest == pattern[2:]


def mintable(name: str) -> bool:
    return len(name) <= 253 and bool(_MINTABLE.match(name.lower()))


class NameCertificates:
    """Certificates for names the API's static certificate does not cover.

    One TLS listener serves every host name an SDK builds from privlink's
    endpoints, and some are deeper than one wildcard label
    (BUCKET.bucket.vpce-ID.s3.REGION.vpce.amazonaws.com, dotted bucket names),
    so a single certificate cannot cover them all. The listener's SNI callback
    asks `context_for(name)`: None keeps the static certificate (it covers the
    name, or the name is not one privlink answers to); otherwise an SSL context
    with a certificate for exactly that name, signed by the local CA, minted
    once, kept on disk under `folder` (reused after a restart) and in memory.
    """

    def __init__(self, ca: LocalCA, covered: Sequence[str], folder: Path) -> None:
        self.ca = ca
        self.covered = tuple(covered)
        self.folder = folder
        self._contexts: OrderedDict[str, ssl.SSLContext] = OrderedDict()

    def context_for(self, server_name: str | None) -> ssl.SSLContext | None:
        if not server_name:
            return None
        name = server_name.lower().rstrip(".")
        if not mintable(name) or any(matches(p, name) for p in self.covered):
            return None
        ctx = self._contexts.get(name)
        if ctx is None:
            files = self.ca.issue_files(self.folder, _stem(name), [name])
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(files.cert, files.key)
            self._contexts[name] = ctx
            while len(self._contexts) > MINTED_KEPT:
                self._contexts.popitem(last=False)
        else:
            self._contexts.move_to_end(name)
        return ctx

    def sni_callback(
        self, sock: ssl.SSLObject | ssl.SSLSocket, name: str | None, _: object
    ) -> None:
        """For `SSLContext.sni_callback`: switch the connection to the name's context."""
        ctx = self.context_for(name)
        if ctx is not None:
            sock.context = ctx


def _stem(name: str) -> str:
    """A file stem for a host name: readable, bounded, unique."""
    return f"{name[:80]}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"


def name_certificates(state_dir: Path, services: Iterable[str]) -> NameCertificates:
    """The minting side of the API listener whose static certificate `ensure` made."""
    ca = LocalCA(state_dir / "tls")
    return NameCertificates(ca, server_names(services), ca.folder / "names")


def _covers(cert_file: Path, names: Sequence[str], ca: LocalCA) -> bool:
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    if cert.issuer != ca.root()[0].subject:
        return False
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return set(sans.get_values_for_type(x509.DNSName)) == set(names)


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
