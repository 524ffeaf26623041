"""The error classes every service builds on, and the protocol-level errors.

Each carries the wire code, the HTTP status and a message; the gateway
serializes it in the caller's protocol. Services raise these and nothing
else for client errors, so a bad request can never become a 500.

Errors that name a resource compose their own message from its id, so a
raise site says what is missing, not how AWS phrases it:
`raise InvalidVpcIDNotFound(vpc_id)` -> "The vpc ID 'vpc-1' does not exist".
`Error.because("...")` gives any error a message of the caller's own, for
the rare variant AWS words differently.
"""

from __future__ import annotations

from typing import ClassVar, Self


class AwsError(Exception):
    code: ClassVar[str] = "InternalError"
    status: ClassVar[int] = 400
    sender_fault: ClassVar[bool] = True

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    @classmethod
    def because(cls, message: str) -> Self:
        """This error with a message of the caller's own (no template applied)."""
        error = cls.__new__(cls)
        AwsError.__init__(error, message)
        return error


class IdNotFound(AwsError):
    """An id (or several) of the caller's that does not exist."""

    label: ClassVar[str] = "resource"

    def __init__(self, *ids: str) -> None:
        self.ids = ids
        if len(ids) == 1:
            message = f"The {self.label} '{ids[0]}' does not exist"
        else:
            message = f"The {self.label}s '{', '.join(ids)}' do not exist"
        super().__init__(message)


class IdMalformed(AwsError):
    """An id that is not of the form its kind has."""

    prefix: ClassVar[str] = ""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(f'Invalid id: "{value}" (expecting "{self.prefix}-...")')


class Templated(AwsError):
    """An error whose message is a fixed template filled with the call's arguments."""

    template: ClassVar[str] = "{0}"

    def __init__(self, *args: str) -> None:
        super().__init__(self.template.format(*args))


def _error(code: str, status: int = 400, sender: bool = True) -> type[AwsError]:
    name = code.replace(".", "").replace("-", "")
    return type(name, (AwsError,), {"code": code, "status": status, "sender_fault": sender})


def _not_found(code: str, label: str) -> type[IdNotFound]:
    name = code.replace(".", "").replace("-", "")
    return type(name, (IdNotFound,), {"code": code, "label": label})


def _malformed(code: str, prefix: str) -> type[IdMalformed]:
    name = code.replace(".", "").replace("-", "")
    return type(name, (IdMalformed,), {"code": code, "prefix": prefix})


def _templated(code: str, template: str, status: int = 400) -> type[Templated]:
    name = code.replace(".", "").replace("-", "")
    return type(name, (Templated,), {"code": code, "template": template, "status": status})


# Generic / protocol level
InternalError = _error("InternalError", 500, sender=False)
InvalidAction = _error("InvalidAction")
NotImplementedOperation = _error("NotImplemented", 501)
MissingParameter = _error("MissingParameter")
InvalidParameterValue = _error("InvalidParameterValue")
InvalidParameter = _error("InvalidParameter")
InvalidParameterCombination = _error("InvalidParameterCombination")
RequestEntityTooLarge = _error("RequestEntityTooLarge", 413)
SerializationException = _error("SerializationException")
ValidationError = _error("ValidationError")
ValidationException = _error("ValidationException")
InvalidClientTokenId = _error("InvalidClientTokenId", 403)
SignatureDoesNotMatch = _error("SignatureDoesNotMatch", 403)
UnknownOperationException = _error("UnknownOperationException")
InvalidPaginationToken = _error("InvalidPaginationToken")
InvalidNextToken = _error("InvalidNextToken")  # CloudWatch's bad NextToken
DryRunOperation = _error("DryRunOperation", 412)
IdempotentParameterMismatch = _error("IdempotentParameterMismatch")


def _variant(base: type[AwsError], template: str) -> type[Templated]:
    """One wording of `base`'s error (same code and status; `except base` still catches it)."""
    return type(base.__name__, (Templated, base), {"template": template})
