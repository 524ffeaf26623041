"""The MWAA seed's ACM step through the AWS CLI, as the guide writes it:

    aws acm import-certificate --certificate fileb://Certificate.pem \
        --certificate-chain fileb://CertificateChain.pem --private-key fileb://PrivateKey.pem \
        --region us-west-2

run in a directory holding those three files (made here with `cryptography`), then the
certificate read back with the CLI: in its region only, as the seed warns.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.api.test_acm import make_pki
from tests.harness import VENV_BIN, Server

SEED_COMMAND = (
    "aws acm import-certificate --certificate fileb://Certificate.pem "
    "--certificate-chain fileb://CertificateChain.pem --private-key fileb://PrivateKey.pem "
    "--region us-west-2"
)


def aws(server: Server, account: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in `cwd` (so fileb:// paths are relative, as in the guide), no default region."""
    env = server.cli_env(account)
    env.pop("AWS_DEFAULT_REGION")
    return subprocess.run(
        [str(VENV_BIN / "aws"), "--output", "json", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_seed_import_certificate_command(server: Server, account: str, tmp_path: Path) -> None:
    pki = make_pki()
    leaf = pki.leaf("airflow.example.com")
    (tmp_path / "Certificate.pem").write_bytes(leaf.pem)
    (tmp_path / "CertificateChain.pem").write_bytes(pki.chain)
    (tmp_path / "PrivateKey.pem").write_bytes(leaf.key_pem)
    args = SEED_COMMAND.split()[1:]
    arn = as_json(aws(server, account, tmp_path, *args))["CertificateArn"]
    assert arn.startswith(f"arn:aws:acm:us-west-2:{account}:certificate/")

    described = as_json(
        aws(server, account, tmp_path, "acm", "describe-certificate", "--certificate-arn", arn,
            "--region", "us-west-2")
    )["Certificate"]  # fmt: skip
    assert (described["DomainName"], described["Status"]) == ("airflow.example.com", "ISSUED")
    got = as_json(
        aws(server, account, tmp_path, "acm", "get-certificate", "--certificate-arn", arn,
            "--region", "us-west-2")
    )  # fmt: skip
    assert got["Certificate"].encode() == leaf.pem
    assert got["CertificateChain"].encode() == pki.chain
    listed = as_json(
        aws(server, account, tmp_path, "acm", "list-certificates", "--region", "us-west-2")
    )
    assert [c["CertificateArn"] for c in listed["CertificateSummaryList"]] == [arn]

    other_region = aws(server, account, tmp_path, "acm", "describe-certificate",
                       "--certificate-arn", arn, "--region", "us-east-1")  # fmt: skip
    assert other_region.returncode != 0
    assert "ResourceNotFoundException" in other_region.stderr
    assert f"Could not find certificate with arn {arn}" in other_region.stderr


def test_cli_reports_a_mismatched_key(server: Server, account: str, tmp_path: Path) -> None:
    pki = make_pki()
    leaf, stranger = pki.leaf("a.example.com"), pki.leaf("b.example.com")
    (tmp_path / "Certificate.pem").write_bytes(leaf.pem)
    (tmp_path / "CertificateChain.pem").write_bytes(pki.chain)
    (tmp_path / "PrivateKey.pem").write_bytes(stranger.key_pem)
    done = aws(server, account, tmp_path, *SEED_COMMAND.split()[1:])
    assert done.returncode != 0
    assert "ValidationException" in done.stderr and "does not match" in done.stderr


def test_cli_delete_and_tags(server: Server, account: str, tmp_path: Path) -> None:
    pki = make_pki()
    leaf = pki.leaf("tags.example.com")
    (tmp_path / "c.pem").write_bytes(leaf.pem)
    (tmp_path / "k.pem").write_bytes(leaf.key_pem)
    arn = as_json(
        aws(server, account, tmp_path, "acm", "import-certificate",
            "--certificate", "fileb://c.pem", "--private-key", "fileb://k.pem",
            "--tags", "Key=env,Value=dev", "--region", "eu-west-1")
    )["CertificateArn"]  # fmt: skip
    tags = as_json(
        aws(server, account, tmp_path, "acm", "list-tags-for-certificate", "--certificate-arn", arn,
            "--region", "eu-west-1")
    )["Tags"]  # fmt: skip
    assert tags == [{"Key": "env", "Value": "dev"}]
    deleted = aws(server, account, tmp_path, "acm", "delete-certificate", "--certificate-arn", arn,
                  "--region", "eu-west-1")  # fmt: skip
    assert deleted.returncode == 0 and deleted.stdout.strip() == ""
