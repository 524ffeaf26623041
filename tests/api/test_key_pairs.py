"""Key pairs: create (RSA, ED25519), import, describe, delete; RunInstances checks KeyName."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from tests.api.ec2_helpers import AMI, aws_error, make_subnet, make_vpc
from tests.harness import fresh_account


def test_create_rsa_key_pair_gives_a_real_private_key(ec2):
    made = ec2.create_key_pair(KeyName="bastion")
    assert made["KeyName"] == "bastion"
    assert made["KeyPairId"].startswith("key-")
    private = serialization.load_pem_private_key(made["KeyMaterial"].encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    assert private.key_size == 2048
    assert len(made["KeyFingerprint"].split(":")) == 20  # SHA-1 of the PKCS#8 key, as AWS
    (found,) = ec2.describe_key_pairs(KeyNames=["bastion"], IncludePublicKey=True)["KeyPairs"]
    assert found["KeyType"] == "rsa"
    assert found["KeyFingerprint"] == made["KeyFingerprint"]
    assert found["PublicKey"].startswith("ssh-rsa ")
    assert found["Tags"] == []
    with aws_error("InvalidKeyPair.Duplicate"):
        ec2.create_key_pair(KeyName="bastion")


def test_create_ed25519_and_delete(ec2):
    made = ec2.create_key_pair(KeyName="ed", KeyType="ed25519")
    private = serialization.load_ssh_private_key(made["KeyMaterial"].encode(), password=None)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    assert made["KeyFingerprint"].endswith("=")
    by_id = ec2.describe_key_pairs(KeyPairIds=[made["KeyPairId"]])["KeyPairs"]
    assert [k["KeyName"] for k in by_id] == ["ed"]
    assert ec2.delete_key_pair(KeyName="ed")["KeyPairId"] == made["KeyPairId"]
    with aws_error("InvalidKeyPair.NotFound"):
        ec2.describe_key_pairs(KeyNames=["ed"])
    ec2.delete_key_pair(KeyName="ed")  # an unknown name is no error, as on AWS
    with aws_error("InvalidKeyPair.NotFound"):
        ec2.delete_key_pair(KeyPairId=made["KeyPairId"])
    with aws_error("InvalidParameterValue"):
        ec2.create_key_pair(KeyName="x", KeyType="dsa")


def test_import_key_pair(ec2):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    imported = ec2.import_key_pair(
        KeyName="mine",
        PublicKeyMaterial=public + b" me@laptop",
        TagSpecifications=[{"ResourceType": "key-pair", "Tags": [{"Key": "o", "Value": "me"}]}],
    )
    assert len(imported["KeyFingerprint"].split(":")) == 16  # MD5 of the DER public key
    assert imported["Tags"] == [{"Key": "o", "Value": "me"}]
    found = ec2.describe_key_pairs(Filters=[{"Name": "tag:o", "Values": ["me"]}])["KeyPairs"]
    assert [k["KeyName"] for k in found] == ["mine"]
    with aws_error("InvalidKeyPair.Duplicate"):
        ec2.import_key_pair(KeyName="mine", PublicKeyMaterial=public)
    with aws_error("InvalidKeyPair.Format"):
        ec2.import_key_pair(KeyName="bad", PublicKeyMaterial=b"ssh-rsa not-a-key")


def test_run_instances_checks_the_key_name(ec2):
    subnet_id = make_subnet(ec2, make_vpc(ec2))
    with aws_error("InvalidKeyPair.NotFound"):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, KeyName="nope")
    ec2.create_key_pair(KeyName="real")
    (instance,) = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, KeyName="real"
    )["Instances"]
    assert instance["KeyName"] == "real"


def test_key_pairs_are_per_account(server, ec2):
    ec2.create_key_pair(KeyName="shared-name")
    other = server.client("ec2", fresh_account())
    other.create_key_pair(KeyName="shared-name")
    assert [k["KeyName"] for k in other.describe_key_pairs()["KeyPairs"]] == ["shared-name"]
