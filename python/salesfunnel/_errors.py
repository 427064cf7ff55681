"""Exceptions raised by salesfunnel.

Every error is a :class:`SalesfunnelError`; each subclass also inherits the
builtin a Python user would expect, so ``except ValueError`` keeps working::

    try:
        sf.EventLog.from_pandas(df, deal="id", stage="stage", time="at", graph=g)
    except sf.InvalidArgumentError as e:   # also a ValueError
        print(e.code, e.message)
"""

from __future__ import annotations

__all__ = [
    "SalesfunnelError", "CancelledError", "UnknownError", "InvalidArgumentError",
    "DeadlineExceededError", "NotFoundError", "AlreadyExistsError", "PermissionDeniedError",
    "ResourceExhaustedError", "FailedPreconditionError", "AbortedError", "OutOfRangeError",
    "UnimplementedError", "InternalError", "UnavailableError", "DataLossError",
    "UnauthenticatedError", "ColumnTypeError", "error_class",
]


class SalesfunnelError(Exception):
    """Base class of every salesfunnel error; ``code`` names the status code."""

    code = "UNKNOWN"

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message


class CancelledError(SalesfunnelError):
    code = "CANCELLED"


class UnknownError(SalesfunnelError, RuntimeError):
    code = "UNKNOWN"


class InvalidArgumentError(SalesfunnelError, ValueError):
    code = "INVALID_ARGUMENT"


class DeadlineExceededError(SalesfunnelError, TimeoutError):
    code = "DEADLINE_EXCEEDED"


class NotFoundError(SalesfunnelError, KeyError):
    code = "NOT_FOUND"


class AlreadyExistsError(SalesfunnelError, ValueError):
    code = "ALREADY_EXISTS"


class PermissionDeniedError(SalesfunnelError, PermissionError):
    code = "PERMISSION_DENIED"


class ResourceExhaustedError(SalesfunnelError, MemoryError):
    code = "RESOURCE_EXHAUSTED"


class FailedPreconditionError(SalesfunnelError, ValueError):
    code = "FAILED_PRECONDITION"


class AbortedError(SalesfunnelError, RuntimeError):
    code = "ABORTED"


class OutOfRangeError(SalesfunnelError, IndexError):
    code = "OUT_OF_RANGE"


class UnimplementedError(SalesfunnelError, NotImplementedError):
    code = "UNIMPLEMENTED"


class InternalError(SalesfunnelError, RuntimeError):
    code = "INTERNAL"


class UnavailableError(SalesfunnelError, RuntimeError):
    code = "UNAVAILABLE"


class DataLossError(SalesfunnelError, RuntimeError):
    code = "DATA_LOSS"


class UnauthenticatedError(SalesfunnelError, PermissionError):
    code = "UNAUTHENTICATED"


class ColumnTypeError(SalesfunnelError, TypeError):
    """A column has the wrong dtype; the message names the column."""

    code = "INVALID_ARGUMENT"


# absl::StatusCode values, in order.
_BY_CODE = {
    1: CancelledError, 2: UnknownError, 3: InvalidArgumentError, 4: DeadlineExceededError,
    5: NotFoundError, 6: AlreadyExistsError, 7: PermissionDeniedError,
    8: ResourceExhaustedError, 9: FailedPreconditionError, 10: AbortedError,
    11: OutOfRangeError, 12: UnimplementedError, 13: InternalError, 14: UnavailableError,
    15: DataLossError, 16: UnauthenticatedError,
}


def error_class(code: int) -> type:
    """The exception class for an absl status code (used by the compiled core).

    >>> sf.error_class(5)                  # NotFoundError
    """
    return _BY_CODE.get(code, UnknownError)
