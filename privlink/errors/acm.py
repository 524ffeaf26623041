"""AWS Certificate Manager: error codes, statuses and messages."""

from __future__ import annotations

from privlink.errors.base import _error, _templated, _variant

# AWS Certificate Manager (json protocol: the code travels as __type)
AcmCertificateNotFound = _templated(
    "ResourceNotFoundException", "Could not find certificate with arn {0}"
)
AcmInvalidArn = _templated("InvalidArnException", "String '{0}' is not a valid ARN.")
AcmValidation = _error("ValidationException")
AcmInvalidParameter = _error("InvalidParameterException")
AcmInvalidArgs = _error("InvalidArgsException")
AcmCertificateInUse = _templated(
    "ResourceInUseException", "Certificate {0} in account {1} is in use by {2}."
)
AcmRequestInProgress = _templated(
    "RequestInProgressException", "Certificate {0} is in {1} status and has not been issued."
)
AcmLimitExceeded = _templated(
    "LimitExceededException",
    "You have reached the maximum number of certificates. Delete certificates that are not in "
    "use, or contact AWS Support to request an increase.",
)
AcmInvalidTag = _templated(
    "InvalidTagException",
    "Tag key '{0}' is not valid: keys have 1-128 characters and may not begin with 'aws:'",
)
AcmInvalidTagValue = _templated(
    "InvalidTagException", "Tag value for key '{0}' exceeds 256 characters"
)
AcmTooManyTags = _templated(
    "TooManyTagsException", "A certificate can have at most 50 tags; this would give it {0}"
)
AcmConstraint = _variant(
    AcmValidation,
    "1 validation error detected: Value at '{0}' failed to satisfy constraint: Member must {1}",
)
# ImportCertificate's checks of the material (ACM's wording, from its troubleshooting guide)
CertificateUnparseable = _variant(
    AcmValidation, "Unable to parse certificate. Please ensure the certificate is in PEM format."
)
CertificateNotSingle = _variant(
    AcmValidation,
    "The certificate field contains more than one certificate. You can specify only one "
    "certificate in this field.",
)
CertificateChainUnparseable = _variant(
    AcmValidation,
    "Unable to parse certificate chain. Please ensure the chain is in PEM format.",
)
CertificateChainMismatch = _variant(
    AcmValidation, "Could not validate the certificate with the certificate chain."
)
PrivateKeyUnparseable = _variant(
    AcmValidation, "Unable to parse the private key. Please ensure the key is in PEM format."
)
PrivateKeyEncrypted = _variant(AcmValidation, "Your private key should not be encrypted.")
PrivateKeyUnsupported = _variant(AcmValidation, "The private key is not supported.")
PrivateKeyLengthUnsupported = _variant(
    AcmValidation, "The private key length {0} is not supported for key algorithm {1}."
)
PrivateKeyMismatch = _variant(
    AcmValidation, "The private key does not match the public key in the certificate."
)
CertificateNotYetValid = _variant(
    AcmValidation, "The certificate is not valid yet: its NotBefore is {0}."
)
CertificateExpired = _variant(AcmValidation, "The certificate expired at {0}.")
CertificateWithoutIssuer = _variant(AcmValidation, "The certificate's Issuer field is empty.")
CertificateNotVersion3 = _variant(
    AcmValidation, "Only X.509 version 3 certificates can be imported."
)
CertificateWithoutDomain = _variant(
    AcmValidation, "The certificate must contain at least one domain name or IP address."
)
# re-import (ImportCertificate with CertificateArn)
NotAnImportedCertificate = _variant(
    AcmValidation, "The certificate ARN {0} is not an imported certificate ARN."
)
ReimportWithTags = _variant(AcmValidation, "You cannot apply tags when reimporting a certificate.")
ReimportKeyChanged = _variant(
    AcmValidation,
    "The key algorithm of a reimported certificate must stay {0}; the new certificate has {1}.",
)
ReimportUsageRemoved = _variant(
    AcmValidation, "A reimported certificate cannot remove the {0} extension value {1}."
)
# RequestCertificate / ExportCertificate
KeyAlgorithmNotForPublic = _variant(
    AcmInvalidParameter, "Key algorithm {0} is not supported for public certificates."
)
ValidationMethodUnsupported = _variant(
    AcmInvalidParameter,
    "Validation method {0} is available only for certificates managed by CloudFront.",
)
InvalidDomainValidationOptions = _templated(
    "InvalidDomainValidationOptionsException", "The domain {0} is not one of the requested names."
)
CommonNameTooLong = _variant(
    AcmInvalidParameter,
    "The first domain name can be no longer than 64 characters: {0} has {1}.",
)
CertificateNotExportable = _variant(
    AcmValidation, "Certificate ARN: {0} is not a private certificate and Export is not ENABLED."
)
