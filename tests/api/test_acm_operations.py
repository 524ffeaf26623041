"""ACM operations and queries as other services call them (no HTTP, no handler).

An ALB's HTTPS listener or a Client VPN endpoint reads its certificate with
`certificate_by_arn` in its own account and region, marks it in use while it
serves with it (DeleteCertificate is then ResourceInUseException and InUseBy lists
the user) and releases it when done. Status follows the clock: an imported
certificate past NotAfter is EXPIRED; a requested one is PENDING_VALIDATION until its
validation completes. These tests hold the operations to that contract against a real
store, moving the scope's clock instead of waiting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509

from privlink import errors
from privlink.api import Scope
from privlink.services.acm import operations, queries, wire
from privlink.services.acm.authority import Authority
from privlink.store import Store
from privlink.tls import LocalCA
from tests.api.test_acm import make_pki

ACCOUNT, REGION = "111111111111", "us-west-2"
LISTENER = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/web/0123456789abcdef/0a1b"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


def scope_at(uow: object, when: dt.datetime | None = None, region: str = REGION) -> Scope:
    clock: Callable[[], dt.datetime] = (lambda: when) if when else (lambda: dt.datetime.now(dt.UTC))
    return Scope(ACCOUNT, region, uow, now=clock)  # type: ignore[arg-type]


def imported(store: Store) -> tuple[str, x509.Certificate]:
    pki = make_pki()
    leaf = pki.leaf("web.example.com")
    with store.unit() as uow:
        cert = operations.import_certificate(
            scope_at(uow), operations.ImportRequest(leaf.pem, leaf.key_pem, pki.chain)
        )
    return cert.arn, leaf.cert


def test_a_listener_reads_marks_and_releases_its_certificate(store: Store) -> None:
    arn, leaf = imported(store)
    with store.unit() as uow:
        bundle = queries.certificate_by_arn(scope_at(uow), arn)
        operations.mark_in_use(scope_at(uow), arn, LISTENER)
    assert bundle.status == "ISSUED" and bundle.key_algorithm == "RSA_2048"
    assert x509.load_pem_x509_certificate(bundle.certificate_pem.encode()) == leaf
    assert bundle.full_chain_pem.count("BEGIN CERTIFICATE") == 3
    assert "PRIVATE KEY" in bundle.private_key_pem
    with pytest.raises(errors.AwsError) as info, store.unit() as uow:
        operations.delete_certificate(scope_at(uow), arn)
    assert info.value.code == "ResourceInUseException" and LISTENER in info.value.message
    with store.unit() as uow:
        detail = wire.detail(queries.require(scope_at(uow), arn), dt.datetime.now(dt.UTC))
        summary = wire.summary(queries.require(scope_at(uow), arn), dt.datetime.now(dt.UTC))
    assert detail["InUseBy"] == [LISTENER] and summary["InUse"] is True
    with store.unit() as uow:
        operations.release(scope_at(uow), arn, LISTENER)
        operations.delete_certificate(scope_at(uow), arn)
    with pytest.raises(errors.AwsError) as gone, store.unit() as uow:
        queries.certificate_by_arn(scope_at(uow), arn)
    assert gone.value.code == "ResourceNotFoundException"


def test_the_certificate_is_regional_and_per_account(store: Store) -> None:
    arn, _ = imported(store)
    with pytest.raises(errors.AwsError) as other_region, store.unit() as uow:
        queries.certificate_by_arn(scope_at(uow, region="us-east-1"), arn)
    assert other_region.value.code == "ResourceNotFoundException"
    with pytest.raises(errors.AwsError) as other_account, store.unit() as uow:
        queries.certificate_by_arn(scope_at(uow).acting_as("222222222222"), arn)
    assert other_account.value.code == "ResourceNotFoundException"


def test_an_imported_certificate_expires_with_the_clock(store: Store) -> None:
    arn, leaf = imported(store)
    later = leaf.not_valid_after_utc + dt.timedelta(seconds=1)
    with store.unit() as uow:
        s = scope_at(uow, later)
        assert queries.certificate_by_arn(s, arn).status == "EXPIRED"
        assert wire.detail(queries.require(s, arn), later)["Status"] == "EXPIRED"


def test_a_request_is_pending_until_validated(store: Store, tmp_path: Path) -> None:
    authority = Authority(LocalCA(tmp_path / "tls"))
    start = dt.datetime.now(dt.UTC)
    request = operations.CertificateRequest("vpn.example.com", validation_method="DNS")
    with store.unit() as uow:
        arn = operations.request_certificate(scope_at(uow, start), authority, request).arn
    with store.unit() as uow:
        assert queries.certificate_by_arn(scope_at(uow, start), arn).status == "PENDING_VALIDATION"
        done = start + operations.VALIDATION_DELAY
        assert queries.certificate_by_arn(scope_at(uow, done), arn).status == "ISSUED"
    ca = x509.load_pem_x509_certificate(authority.ca.ca_file.read_bytes())
    with store.unit() as uow:
        bundle = queries.certificate_by_arn(scope_at(uow), arn)
    x509.load_pem_x509_certificate(bundle.certificate_pem.encode()).verify_directly_issued_by(ca)
    reloaded = Authority(LocalCA(tmp_path / "tls")).issue(
        "x.example.com", ["x.example.com"], "EC_prime256v1", start
    )
    assert reloaded.chain_pem == bundle.chain_pem  # the CA under the state dir is reused
