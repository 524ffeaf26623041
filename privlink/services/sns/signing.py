"""Message signatures, as SNS signs what it POSTs to HTTP/S endpoints.

Each privlink process generates an RSA key and a self-signed certificate
(CN sns.amazonaws.com) at start and serves the certificate at
SIGNING_CERT_PATH, so subscribers can verify messages the way they verify
AWS's: SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA, over the
canonical "Name\\nValue\\n" string of the message's signed fields. The key
is not persisted; a restart means a new certificate.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

SIGNING_CERT_PATH = "/_privlink/sns/SimpleNotificationService.pem"

# The fields each message type signs, in AWS's (alphabetical) order.
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
SIGNED_FIELDS["UnsubscribeConfirmation"] = SIGNED_FIELDS["SubscriptionConfirmation"]


def string_to_sign(body: dict[str, str]) -> str:
    """The canonical text of a message; absent fields (a Notification's Subject) are skipped."""
    fields = SIGNED_FIELDS[body["Type"]]
    return "".join(f"{name}\n{body[name]}\n" for name in fields if body.get(name) is not None)


def _hash(version: str) -> hashes.HashAlgorithm:
    return hashes.SHA256() if version == "2" else hashes.SHA1()  # noqa: S303 - SNS v1 is SHA1


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey
    certificate_pem: bytes

    @classmethod
    def generate(cls) -> Signer:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = dt.datetime.now(dt.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate.public_bytes(serialization.Encoding.PEM))

    def sign(self, body: dict[str, str]) -> str:
        signature = self.key.sign(
            string_to_sign(body).encode(), padding.PKCS1v15(), _hash(body["SignatureVersion"])
        )
        return base64.b64encode(signature).decode()
