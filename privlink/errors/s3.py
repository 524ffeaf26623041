"""Amazon S3: error codes, statuses and messages."""

from __future__ import annotations

from typing import ClassVar, Self

from privlink.errors.base import AwsError


# Amazon S3: fixed messages per code; the resource an error names is an extra element
# of S3's XML error body (<BucketName>, <Key>, <UploadId>, <VersionId>).
class S3Error(AwsError):
    """An S3 error: the message is the code's own, the argument the element it names."""

    text: ClassVar[str] = ""
    element: ClassVar[str] = ""

    def __init__(self, value: str = "") -> None:
        super().__init__(self.text)
        self.details: dict[str, str] = {self.element: value} if self.element and value else {}

    @classmethod
    def because(cls, message: str) -> Self:
        error = super().because(message)
        error.details = {}
        return error


def _s3(code: str, status: int, text: str, element: str = "") -> type[S3Error]:
    attrs = {"code": code, "status": status, "text": text, "element": element}
    return type(code, (S3Error,), attrs)


NoSuchBucket = _s3("NoSuchBucket", 404, "The specified bucket does not exist", "BucketName")
NoSuchKey = _s3("NoSuchKey", 404, "The specified key does not exist.", "Key")
NoSuchVersion = _s3("NoSuchVersion", 404, "The specified version does not exist.", "VersionId")
NoSuchUpload = _s3(
    "NoSuchUpload",
    404,
    "The specified upload does not exist. The upload ID may be invalid, or the upload may "
    "have been aborted or completed.",
    "UploadId",
)
BucketAlreadyExists = _s3(
    "BucketAlreadyExists",
    409,
    "The requested bucket name is not available. The bucket namespace is shared by all users "
    "of the system. Please select a different name and try again.",
    "BucketName",
)
BucketAlreadyOwnedByYou = _s3(
    "BucketAlreadyOwnedByYou",
    409,
    "Your previous request to create the named bucket succeeded and you already own it.",
    "BucketName",
)
BucketNotEmpty = _s3(
    "BucketNotEmpty", 409, "The bucket you tried to delete is not empty", "BucketName"
)
InvalidBucketName = _s3(
    "InvalidBucketName", 400, "The specified bucket is not valid.", "BucketName"
)
InvalidPart = _s3(
    "InvalidPart",
    400,
    "One or more of the specified parts could not be found.  The part may not have been "
    "uploaded, or the specified entity tag may not match the part's entity tag.",
    "PartNumber",
)
InvalidPartOrder = _s3(
    "InvalidPartOrder",
    400,
    "The list of parts was not in ascending order. Parts must be ordered by part number.",
)
EntityTooSmall = _s3(
    "EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."
)
NoSuchPublicAccessBlockConfiguration = _s3(
    "NoSuchPublicAccessBlockConfiguration",
    404,
    "The public access block configuration was not found",
    "BucketName",
)
NoSuchBucketPolicy = _s3(
    "NoSuchBucketPolicy", 404, "The bucket policy does not exist", "BucketName"
)
MalformedPolicy = _s3(
    "MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'"
)
MalformedXML = _s3(
    "MalformedXML",
    400,
    "The XML you provided was not well-formed or did not validate against our published schema",
)
InvalidArgument = _s3("InvalidArgument", 400, "Invalid Argument")
InvalidRequest = _s3("InvalidRequest", 400, "Invalid Request")
InvalidRange = _s3("InvalidRange", 416, "The requested range is not satisfiable", "RangeRequested")
BadDigest = _s3("BadDigest", 400, "The Content-MD5 you specified did not match what we received.")
InvalidDigest = _s3("InvalidDigest", 400, "The Content-MD5 you specified is not valid.")
IncompleteBody = _s3(
    "IncompleteBody",
    400,
    "You did not provide the number of bytes specified by the Content-Length HTTP header",
)
AccessDenied = _s3("AccessDenied", 403, "Access Denied")
MethodNotAllowed = _s3(
    "MethodNotAllowed", 405, "The specified method is not allowed against this resource."
)
IllegalLocationConstraintException = _s3(
    "IllegalLocationConstraintException",
    400,
    "The unspecified location constraint is incompatible for the region specific endpoint "
    "this request was sent to.",
)
InvalidLocationConstraint = _s3(
    "InvalidLocationConstraint", 400, "The specified location-constraint is not valid"
)
