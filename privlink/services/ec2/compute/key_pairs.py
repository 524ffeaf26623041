"""Key pairs: create (RSA 2048 or ED25519, real key material), import, find by name, delete.

Names are unique per account and region (a name claim, so a failed call
keeps none). Fingerprints are AWS's: for keys AWS makes, the SHA-1 of the
PKCS#8 private key (RSA) or the SHA-256 of the public key in OpenSSH's
base64 form (ED25519); for imported RSA keys, the MD5 of the public key's
DER form, colon-separated.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import KeyPair

NAMES = "key-pair-name"
KEY_TYPES = ("rsa", "ed25519")
FORMATS = ("pem", "ppk")
MAX_NAME = 255

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey


def _name_scope(scope: Scope) -> str:
    return f"{NAMES}:{scope.account}:{scope.region}"


def _colons(digest: bytes) -> str:
    return ":".join(f"{b:02x}" for b in digest)


def _openssh(public: PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()


def _sha256_fingerprint(public: PublicKey) -> str:
    blob = base64.b64decode(_openssh(public).split()[1])
    return base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=") + "="


def _claim(scope: Scope, name: str, key_id: str) -> None:
    if not name or len(name) > MAX_NAME:
        raise errors.InvalidParameterValue.because(
            f"Value ({name}) for parameter keyName is invalid. Length exceeds maximum of "
            f"{MAX_NAME} characters"
            if name
            else "Value () for parameter keyName is invalid."
        )
    if scope.uow.claim_name(_name_scope(scope), name, key_id) is not None:
        raise errors.InvalidKeyPairDuplicate(name)


def _store(
    scope: Scope,
    name: str,
    key_type: str,
    fingerprint: str,
    public: PublicKey,
    tags: Mapping[str, str] | None,
) -> KeyPair:
    key = KeyPair(
        id=scope.new_id("key"),
        account=scope.account,
        region=scope.region,
        name=name,
        key_type=key_type,
        fingerprint=fingerprint,
        public_key=_openssh(public) + f" {name}",
        create_time=scope.now().isoformat(),
        tags=dict(tags or {}),
    )
    _claim(scope, name, key.id)
    scope.add(key)
    return key


def create_key_pair(
    scope: Scope,
    name: str,
    key_type: str = "rsa",
    key_format: str = "pem",
    tags: Mapping[str, str] | None = None,
) -> tuple[KeyPair, str]:
    """A new key pair and its private key (returned once, never stored)."""
    if key_type not in KEY_TYPES:
        raise errors.InvalidParameterValue.because(
            f"Value ({key_type}) for parameter keyType is invalid."
        )
    if key_format != "pem":
        raise errors.UnsupportedOperation.because("privlink gives key material as PEM only.")
    private: PrivateKey
    if key_type == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pkcs8 = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fingerprint = _colons(hashlib.sha1(pkcs8).digest())
        material = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    else:
        private = ed25519.Ed25519PrivateKey.generate()
        fingerprint = _sha256_fingerprint(private.public_key())
        material = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    key = _store(scope, name, key_type, fingerprint, private.public_key(), tags)
    return key, material.decode().rstrip("\n")


def _parse_public(material: bytes) -> PublicKey:
    try:
        text = material.decode().strip()
        if text.startswith("-----BEGIN"):
            loaded = serialization.load_pem_public_key(text.encode())
        else:
            loaded = serialization.load_ssh_public_key(" ".join(text.split()[:2]).encode())
    except (ValueError, UnicodeDecodeError, IndexError) as exc:
        raise errors.InvalidKeyPairFormat() from exc
    if isinstance(loaded, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        return loaded
    raise errors.InvalidKeyPairFormat()


def import_key_pair(
    scope: Scope, name: str, material: bytes, tags: Mapping[str, str] | None = None
) -> KeyPair:
    public = _parse_public(material)
    if isinstance(public, rsa.RSAPublicKey):
        der = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return _store(scope, name, "rsa", _colons(hashlib.md5(der).digest()), public, tags)
    return _store(scope, name, "ed25519", _sha256_fingerprint(public), public, tags)


def by_name(scope: Scope, name: str) -> KeyPair:
    found = next((k for k in scope.list(KeyPair) if k.name == name), None)
    if found is None:
        raise errors.InvalidKeyPairNotFound(name)
    return found


def delete_key_pair(scope: Scope, name: str | None, key_id: str | None) -> str | None:
    """Delete by name or id: the id deleted. An unknown name is no error, as on AWS."""
    key: KeyPair | None
    if key_id:
        key = scope.require(KeyPair, key_id)
    elif name:
        key = next((k for k in scope.list(KeyPair) if k.name == name), None)
        if key is None:
            return None
    else:
        raise errors.MissingParameter.because("The request must contain the parameter KeyName")
    scope.uow.release_names(key.id)
    scope.delete(key)
    return key.id
