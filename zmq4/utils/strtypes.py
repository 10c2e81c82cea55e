"""pyzmq's ``zmq.utils.strtypes`` (deprecated there since pyzmq 23): str/bytes names from
the Python 2 days, kept for code that still imports them.

``bytes``, ``unicode`` (``str``), ``basestring`` (``(str,)``); ``cast_bytes(s, encoding,
errors)`` / ``cast_unicode(s, ...)`` convert between str and bytes (anything else is a
``TypeError``), with their short names ``b``/``asbytes`` and ``u``. The casts warn with
``DeprecationWarning``, as pyzmq's do.
"""

from __future__ import annotations

import warnings

__all__ = ["asbytes", "b", "basestring", "bytes", "cast_bytes", "cast_unicode", "u", "unicode"]

bytes = bytes  # noqa: A001, PLW0127 - the module's own name for the builtin
unicode = str
basestring = (str,)


def _deprecated() -> None:
    warnings.warn("zmq4.utils.strtypes (pyzmq's zmq.utils.strtypes) is deprecated: use "
                  "str.encode / bytes.decode", DeprecationWarning, stacklevel=3)


def cast_bytes(s: str | bytes, encoding: str = "utf8", errors: str = "strict") -> bytes:
    """``s`` as bytes (a str is encoded)."""
    _deprecated()
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode(encoding, errors)
    raise TypeError(f"cast_bytes: expected str or bytes, got {type(s).__name__}: {s!r}")


def cast_unicode(s: str | bytes, encoding: str = "utf8", errors: str = "strict") -> str:
    """``s`` as str (bytes are decoded)."""
    _deprecated()
    if isinstance(s, bytes):
        return s.decode(encoding, errors)
    if isinstance(s, str):
        return s
    raise TypeError(f"cast_unicode: expected str or bytes, got {type(s).__name__}: {s!r}")


b = asbytes = cast_bytes
u = cast_unicode
