"""Scalar arguments checked at the Python boundary, so a wrong type or value
is a SalesfunnelError naming the argument (not a pybind11 signature dump or
a bare ``int()`` error).

>>> integer("seed", 7, 0, 2**64 - 1)
7
>>> number("horizon_days", "x")
Traceback (most recent call last):
salesfunnel._errors.ColumnTypeError: horizon_days must be a number, got str
"""

from __future__ import annotations

import numbers

from ._errors import ColumnTypeError, InvalidArgumentError


def integer(name: str, value, low: int, high: int) -> int:
    """``value`` as an int in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ColumnTypeError(f"{name} must be an integer, got {type(value).__name__}")
    v = int(value)
    if not low <= v <= high:
        raise InvalidArgumentError(f"{name} must be an integer in [{low}, {high}], got {v}")
    return v


def number(name: str, value) -> float:
    """``value`` as a float (range checks stay in the core, which names them)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ColumnTypeError(f"{name} must be a number, got {type(value).__name__}")
    return float(value)


def buffer(name: str, value) -> bytes:
    """``value`` (bytes, bytearray or memoryview) as bytes."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise ColumnTypeError(f"{name} must be bytes (from to_bytes()), got {type(value).__name__}")
    return bytes(value)


def text(name: str, value) -> str:
    """``value`` as a str that encodes to UTF-8."""
    if not isinstance(value, str):
        raise ColumnTypeError(f"{name} must be text (str), got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidArgumentError(f"{name} is not valid Unicode (lone surrogate at "
                                   f"character {e.start})") from None
    return value
