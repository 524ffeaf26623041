"""ACM through boto3: import (ACM's validation of key, chain, dates, algorithms, sizes),
describe, list (default key-type filter, statuses, pages), get, export, tags, delete, reimport,
request (PENDING_VALIDATION then ISSUED), account configuration; regional and per account.

The certificates are made here with `cryptography`: a root CA, an intermediate and leaves.
The PKI helpers at the top are shared with test_acm_cli.py and test_acm_operations.py.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.harness import Server, fresh_account, wait_until

NOW = dt.datetime.now(dt.UTC)
Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: Key

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return key_pem(self.key)


def key_pem(key: Key, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, bits)


def name(common: str, org: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)] if org else []
    return x509.Name([*attributes, x509.NameAttribute(NameOID.COMMON_NAME, common)])


def issue(
    subject: str,
    issuer: Issued | None = None,
    key: Key | None = None,
    *,
    ca: bool = False,
    sans: tuple[str, ...] = (),
    not_before: dt.datetime = NOW - dt.timedelta(days=1),
    not_after: dt.datetime = NOW + dt.timedelta(days=90),
    org: str | None = None,
) -> Issued:
    """A certificate for `subject`, signed by `issuer` (itself when None)."""
    key = key or rsa_key()
    subject_name = name(subject, org)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer.cert.subject if issuer else subject_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False
        )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    signer = issuer.key if issuer else key
    digest = None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return Issued(builder.sign(signer, digest), key)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Pki:
    root: Issued
    intermediate: Issued

    def leaf(self, domain: str, **kwargs: Any) -> Issued:
        return issue(domain, self.intermediate, sans=(domain, f"www.{domain}"), **kwargs)

    @property
    def chain(self) -> bytes:
        return self.intermediate.pem + self.root.pem


def make_pki(org: str = "Example Trust") -> Pki:
    root = issue(f"{org} Root", ca=True, org=org)
    return Pki(root, issue(f"{org} Intermediate", root, ca=True, org=org))


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture
def acm(server: Server, account: str) -> Any:
    return server.client("acm", account)


def error_of(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    err = info.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def import_leaf(acm: Any, pki: Pki, domain: str = "example.com", **kwargs: Any) -> str:
    leaf = pki.leaf(domain)
    arn: str = acm.import_certificate(
        Certificate=leaf.pem, PrivateKey=leaf.key_pem, CertificateChain=pki.chain, **kwargs
    )["CertificateArn"]
    return arn


# --- ImportCertificate and DescribeCertificate ----------------------------------------------


def test_import_and_describe_every_field(acm: Any, pki: Pki, account: str) -> None:
    leaf = pki.leaf("shop.example.com", key=ec.generate_private_key(ec.SECP384R1()))
    arn = acm.import_certificate(
        Certificate=leaf.pem, PrivateKey=leaf.key_pem, CertificateChain=pki.chain
    )["CertificateArn"]
    assert re.fullmatch(rf"arn:aws:acm:us-east-1:{account}:certificate/[0-9a-f-]{{36}}", arn)
    d = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    serial = leaf.cert.serial_number.to_bytes((leaf.cert.serial_number.bit_length() + 7) // 8)
    assert d["CertificateArn"] == arn
    assert d["DomainName"] == "shop.example.com"
    assert d["SubjectAlternativeNames"] == ["shop.example.com", "www.shop.example.com"]
    assert (d["Status"], d["Type"]) == ("ISSUED", "IMPORTED")
    assert (d["KeyAlgorithm"], d["SignatureAlgorithm"]) == ("EC_secp384r1", "SHA256WITHRSA")
    assert d["NotBefore"] == leaf.cert.not_valid_before_utc.replace(microsecond=0)
    assert d["NotAfter"] == leaf.cert.not_valid_after_utc.replace(microsecond=0)
    assert (d["Issuer"], d["Subject"]) == ("Example Trust", "CN=shop.example.com")
    assert d["Serial"] == ":".join(f"{b:02x}" for b in serial)
    assert abs((d["ImportedAt"] - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    assert d["CreatedAt"] == d["ImportedAt"]
    assert d["InUseBy"] == [] and d["RenewalEligibility"] == "INELIGIBLE"
    assert d["ExtendedKeyUsages"] == [
        {"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"}
    ]
    assert "DomainValidationOptions" not in d and "IssuedAt" not in d


def test_get_certificate_returns_the_pem_and_chain(acm: Any, pki: Pki) -> None:
    leaf = pki.leaf("get.example.com")
    arn = acm.import_certificate(
        Certificate=leaf.pem, PrivateKey=leaf.key_pem, CertificateChain=pki.chain
    )["CertificateArn"]
    got = acm.get_certificate(CertificateArn=arn)
    assert got["Certificate"].encode() == leaf.pem
    assert got["CertificateChain"].encode() == pki.chain


def test_self_signed_imports_without_a_chain(acm: Any) -> None:
    own = issue("self.example.com", sans=("self.example.com",))
    arn = acm.import_certificate(Certificate=own.pem, PrivateKey=own.key_pem)["CertificateArn"]
    d = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert (d["Status"], d["Issuer"], d["KeyAlgorithm"]) == (
        "ISSUED",
        "self.example.com",
        "RSA_2048",
    )
    assert "CertificateChain" not in acm.get_certificate(CertificateArn=arn)


@pytest.mark.parametrize("bits", [1024, 3072, 4096])
def test_every_rsa_size_acm_allows_imports(acm: Any, pki: Pki, bits: int) -> None:
    leaf = pki.leaf("rsa.example.com", key=rsa_key(bits))
    arn = acm.import_certificate(Certificate=leaf.pem, PrivateKey=leaf.key_pem)["CertificateArn"]
    assert (
        acm.describe_certificate(CertificateArn=arn)["Certificate"]["KeyAlgorithm"] == f"RSA_{bits}"
    )


GARBAGE_KEY = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"


def _refusals(pki: Pki) -> dict[str, tuple[dict[str, bytes], str]]:
    leaf = pki.leaf("bad.example.com")
    other = make_pki("Other Trust")
    expired = pki.leaf(
        "old.example.com",
        not_after=NOW - dt.timedelta(days=1),
        not_before=NOW - dt.timedelta(days=30),
    )
    future = pki.leaf("new.example.com", not_before=NOW + dt.timedelta(days=2))
    weak = pki.leaf("weak.example.com", key=rsa_key(1536))
    edwards = pki.leaf("ed.example.com", key=ed25519.Ed25519PrivateKey.generate())
    p224 = pki.leaf("p224.example.com", key=ec.generate_private_key(ec.SECP224R1()))
    ok = {"Certificate": leaf.pem, "PrivateKey": leaf.key_pem}
    return {
        "garbage certificate": (
            {**ok, "Certificate": b"not a certificate"},
            "Unable to parse certificate",
        ),
        "DER certificate": (
            {**ok, "Certificate": leaf.cert.public_bytes(serialization.Encoding.DER)},
            "Unable to parse certificate",
        ),
        "bundle in the certificate field": (
            {**ok, "Certificate": leaf.pem + pki.intermediate.pem},
            "contains more than one certificate",
        ),
        "garbage key": ({**ok, "PrivateKey": GARBAGE_KEY}, "private key"),
        "encrypted key": (
            {**ok, "PrivateKey": key_pem(leaf.key, b"secret")},
            "should not be encrypted",
        ),
        "mismatched key": ({**ok, "PrivateKey": key_pem(rsa_key())}, "does not match"),
        "chain of another CA": ({**ok, "CertificateChain": other.chain}, "certificate chain"),
        "chain out of order": (
            {**ok, "CertificateChain": pki.root.pem + pki.intermediate.pem},
            "certificate chain",
        ),
        "garbage chain": ({**ok, "CertificateChain": b"garbage"}, "certificate chain"),
        "expired": ({"Certificate": expired.pem, "PrivateKey": expired.key_pem}, "expired"),
        "not yet valid": (
            {"Certificate": future.pem, "PrivateKey": future.key_pem},
            "not valid yet",
        ),
        "RSA 1536": ({"Certificate": weak.pem, "PrivateKey": weak.key_pem}, "length 1536"),
        "Ed25519": ({"Certificate": edwards.pem, "PrivateKey": edwards.key_pem}, "not supported"),
        "P-224": ({"Certificate": p224.pem, "PrivateKey": p224.key_pem}, "not supported"),
        "key over 5120 bytes": (
            {**ok, "PrivateKey": leaf.key_pem + b"\n" * 5120},
            "less than or equal to 5120",
        ),
    }


REFUSALS = [
    "garbage certificate",
    "DER certificate",
    "bundle in the certificate field",
    "garbage key",
    "encrypted key",
    "mismatched key",
    "chain of another CA",
    "chain out of order",
    "garbage chain",
    "expired",
    "not yet valid",
    "RSA 1536",
    "Ed25519",
    "P-224",
    "key over 5120 bytes",
]


@pytest.fixture(scope="module")
def refusals(pki: Pki) -> dict[str, tuple[dict[str, bytes], str]]:
    return _refusals(pki)


@pytest.mark.parametrize("case", REFUSALS)
def test_import_refuses_what_acm_refuses(
    acm: Any, refusals: dict[str, tuple[dict[str, bytes], str]], case: str
) -> None:
    params, message = refusals[case]
    code, text, status = error_of(acm.import_certificate, **params)
    assert (code, status) == ("ValidationException", 400)
    assert message in text
    assert (
        acm.list_certificates(Includes={"keyTypes": ["RSA_2048"]})["CertificateSummaryList"] == []
    )


# --- ARNs, accounts and regions -------------------------------------------------------------


def test_other_account_and_other_region_do_not_find_it(server: Server, acm: Any, pki: Pki) -> None:
    arn = import_leaf(acm, pki)
    stranger = server.client("acm", fresh_account())
    code, message, status = error_of(stranger.describe_certificate, CertificateArn=arn)
    assert (code, message, status) == (
        "ResourceNotFoundException",
        f"Could not find certificate with arn {arn}",
        400,
    )
    account = arn.split(":")[4]
    elsewhere = server.client("acm", account, region="us-west-2")
    for call in (
        elsewhere.describe_certificate,
        elsewhere.get_certificate,
        elsewhere.delete_certificate,
    ):
        assert error_of(call, CertificateArn=arn)[0] == "ResourceNotFoundException"
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] == "ISSUED"


def test_malformed_and_invalid_arns(acm: Any) -> None:
    code, message, _ = error_of(acm.describe_certificate, CertificateArn="not-an-arn-at-all-really")
    assert code == "ValidationException" and "failed to satisfy constraint" in message
    bad = "arn:aws:acm:us-east-1:123456789012:loadbalancer/abc"
    assert error_of(acm.describe_certificate, CertificateArn=bad)[:2] == (
        "InvalidArnException",
        f"String '{bad}' is not a valid ARN.",
    )
    missing = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    for call in (acm.get_certificate, acm.list_tags_for_certificate, acm.delete_certificate):
        assert error_of(call, CertificateArn=missing)[0] == "ResourceNotFoundException"


# --- ListCertificates ------------------------------------------------------------------------


def test_list_filters_key_types_like_acm(acm: Any, pki: Pki) -> None:
    rsa_arn = import_leaf(acm, pki, "rsa.example.org")
    leaf = pki.leaf("ec.example.org", key=ec.generate_private_key(ec.SECP256R1()))
    ec_arn = acm.import_certificate(Certificate=leaf.pem, PrivateKey=leaf.key_pem)["CertificateArn"]
    default = acm.list_certificates()["CertificateSummaryList"]
    assert [s["CertificateArn"] for s in default] == [rsa_arn]
    summary = default[0]
    assert summary["DomainName"] == "rsa.example.org"
    assert summary["SubjectAlternativeNameSummaries"] == ["rsa.example.org", "www.rsa.example.org"]
    assert (summary["Status"], summary["Type"], summary["KeyAlgorithm"]) == (
        "ISSUED",
        "IMPORTED",
        "RSA_2048",
    )
    assert (summary["InUse"], summary["HasAdditionalSubjectAlternativeNames"]) == (False, False)
    assert summary["ExtendedKeyUsages"] == ["TLS_WEB_SERVER_AUTHENTICATION"]
    both = acm.list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1"]})
    assert {s["CertificateArn"] for s in both["CertificateSummaryList"]} == {rsa_arn, ec_arn}
    only_ec = acm.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]})
    assert [s["CertificateArn"] for s in only_ec["CertificateSummaryList"]] == [ec_arn]
    assert acm.list_certificates(CertificateStatuses=["EXPIRED"])["CertificateSummaryList"] == []
    assert len(acm.list_certificates(CertificateStatuses=["ISSUED"])["CertificateSummaryList"]) == 1


def test_list_pages_with_max_items_and_next_token(acm: Any, pki: Pki) -> None:
    arns = [import_leaf(acm, pki, f"p{i}.example.net") for i in range(3)]
    first = acm.list_certificates(MaxItems=2)
    assert [s["CertificateArn"] for s in first["CertificateSummaryList"]] == arns[:2]
    second = acm.list_certificates(MaxItems=2, NextToken=first["NextToken"])
    assert [s["CertificateArn"] for s in second["CertificateSummaryList"]] == arns[2:]
    assert "NextToken" not in second
    newest_first = acm.list_certificates(SortBy="CREATED_AT", SortOrder="DESCENDING")
    assert [s["CertificateArn"] for s in newest_first["CertificateSummaryList"]] == arns[::-1]
    assert error_of(acm.list_certificates, NextToken="bogus!")[0] == "InvalidArgsException"


# --- tags, delete, export, reimport ----------------------------------------------------------


def test_tags_at_import_and_after(acm: Any, pki: Pki) -> None:
    arn = import_leaf(acm, pki, Tags=[{"Key": "env", "Value": "dev"}])
    acm.add_tags_to_certificate(
        CertificateArn=arn, Tags=[{"Key": "team", "Value": "data"}, {"Key": "x"}]
    )
    tags = acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]
    assert {t["Key"]: t.get("Value", "") for t in tags} == {"env": "dev", "team": "data", "x": ""}
    acm.remove_tags_from_certificate(
        CertificateArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team"}]
    )
    assert [t["Key"] for t in acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]] == [
        "env",
        "x",
    ]
    code, _, _ = error_of(
        acm.add_tags_to_certificate, CertificateArn=arn, Tags=[{"Key": "aws:x", "Value": "1"}]
    )
    assert code == "InvalidTagException"
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(49)]
    assert (
        error_of(acm.add_tags_to_certificate, CertificateArn=arn, Tags=many)[0]
        == "TooManyTagsException"
    )
    assert len(acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]) == 2


def test_delete_then_gone(acm: Any, pki: Pki) -> None:
    arn = import_leaf(acm, pki)
    acm.delete_certificate(CertificateArn=arn)
    assert error_of(acm.describe_certificate, CertificateArn=arn)[0] == "ResourceNotFoundException"
    assert error_of(acm.delete_certificate, CertificateArn=arn)[0] == "ResourceNotFoundException"


def test_imported_certificates_cannot_be_exported(acm: Any, pki: Pki) -> None:
    arn = import_leaf(acm, pki)
    code, message, _ = error_of(acm.export_certificate, CertificateArn=arn, Passphrase=b"secret")
    assert code == "ValidationException" and arn in message


def test_reimport_keeps_the_arn_and_follows_acm_rules(acm: Any, pki: Pki) -> None:
    arn = import_leaf(acm, pki, "old.example.io")
    before = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    renewed = pki.leaf("new.example.io")
    assert (
        acm.import_certificate(
            CertificateArn=arn,
            Certificate=renewed.pem,
            PrivateKey=renewed.key_pem,
            CertificateChain=pki.chain,
        )["CertificateArn"]
        == arn
    )
    after = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert after["DomainName"] == "new.example.io" and after["CreatedAt"] == before["CreatedAt"]
    assert after["ImportedAt"] >= before["ImportedAt"]
    assert acm.get_certificate(CertificateArn=arn)["Certificate"].encode() == renewed.pem
    ec_leaf = pki.leaf("new.example.io", key=ec.generate_private_key(ec.SECP256R1()))
    code, message, _ = error_of(
        acm.import_certificate,
        CertificateArn=arn,
        Certificate=ec_leaf.pem,
        PrivateKey=ec_leaf.key_pem,
    )
    assert code == "ValidationException" and "RSA_2048" in message
    code, message, _ = error_of(
        acm.import_certificate,
        CertificateArn=arn,
        Certificate=renewed.pem,
        PrivateKey=renewed.key_pem,
        Tags=[{"Key": "a", "Value": "b"}],
    )
    assert code == "ValidationException" and "tags" in message
    gone = arn[:-12] + "000000000000"
    assert (
        error_of(
            acm.import_certificate,
            CertificateArn=gone,
            Certificate=renewed.pem,
            PrivateKey=renewed.key_pem,
        )[0]
        == "ResourceNotFoundException"
    )


# --- RequestCertificate, ExportCertificate, account configuration -------------------------


def issued_detail(acm: Any, arn: str) -> dict[str, Any] | None:
    detail: dict[str, Any] = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    return detail if detail["Status"] == "ISSUED" else None


def test_request_certificate_validates_then_issues(acm: Any) -> None:
    arn = acm.request_certificate(
        DomainName="app.example.com",
        SubjectAlternativeNames=["api.example.com"],
        ValidationMethod="DNS",
        IdempotencyToken="once",
        Tags=[{"Key": "env", "Value": "dev"}],
    )["CertificateArn"]
    again = acm.request_certificate(
        DomainName="app.example.com", ValidationMethod="DNS", IdempotencyToken="once"
    )
    assert again["CertificateArn"] == arn
    pending = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert (pending["Status"], pending["Type"]) == ("PENDING_VALIDATION", "AMAZON_ISSUED")
    options = pending["DomainValidationOptions"]
    assert [o["DomainName"] for o in options] == ["app.example.com", "api.example.com"]
    assert options[0]["ResourceRecord"]["Type"] == "CNAME"
    assert options[0]["ResourceRecord"]["Name"].endswith(".app.example.com.")
    assert error_of(acm.get_certificate, CertificateArn=arn)[0] == "RequestInProgressException"
    issued = wait_until(lambda: issued_detail(acm, arn), 15, message="the certificate issued")
    assert issued["DomainValidationOptions"][0]["ValidationStatus"] == "SUCCESS"
    assert issued["Issuer"] == "privlink" and issued["KeyAlgorithm"] == "RSA_2048"
    got = acm.get_certificate(CertificateArn=arn)
    cert = x509.load_pem_x509_certificate(got["Certificate"].encode())
    root = x509.load_pem_x509_certificate(got["CertificateChain"].encode())
    cert.verify_directly_issued_by(root)
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["app.example.com", "api.example.com"]


def test_request_certificate_refusals(acm: Any) -> None:
    assert error_of(acm.request_certificate, DomainName="not a domain")[0] == "ValidationException"
    code, _, _ = error_of(
        acm.request_certificate, DomainName="a.example.com", KeyAlgorithm="RSA_4096"
    )
    assert code == "InvalidParameterException"
    code, _, _ = error_of(
        acm.request_certificate,
        DomainName="a.example.com",
        DomainValidationOptions=[
            {"DomainName": "b.example.com", "ValidationDomain": "example.com"}
        ],
    )
    assert code == "InvalidDomainValidationOptionsException"


def test_export_of_an_exportable_requested_certificate(acm: Any) -> None:
    arn = acm.request_certificate(
        DomainName="export.example.com", ValidationMethod="DNS", Options={"Export": "ENABLED"}
    )["CertificateArn"]
    waiter = acm.get_waiter("certificate_validated")  # the SDK's own wait for validation
    waiter.wait(CertificateArn=arn, WaiterConfig={"Delay": 1, "MaxAttempts": 15})
    out = acm.export_certificate(CertificateArn=arn, Passphrase=b"correct horse")
    key = serialization.load_pem_private_key(out["PrivateKey"].encode(), password=b"correct horse")
    cert = x509.load_pem_x509_certificate(out["Certificate"].encode())
    assert key.public_key() == cert.public_key()


def test_account_configuration(acm: Any) -> None:
    assert acm.get_account_configuration()["ExpiryEvents"] == {"DaysBeforeExpiry": 45}
    acm.put_account_configuration(ExpiryEvents={"DaysBeforeExpiry": 10}, IdempotencyToken="t1")
    assert acm.get_account_configuration()["ExpiryEvents"] == {"DaysBeforeExpiry": 10}
    code, _, _ = error_of(
        acm.put_account_configuration, ExpiryEvents={"DaysBeforeExpiry": 60}, IdempotencyToken="t2"
    )
    assert code == "ValidationException"
