"""JSON as UTF-8 bytes (pyzmq's ``zmq.utils.jsonapi``): what ``send_json``/``recv_json``
put on the wire, for code that builds or parses such frames itself.

Owns ``dumps(obj, **kw) -> bytes`` and ``loads(data, **kw)``; keyword arguments go to the
standard library's :func:`json.dumps` / :func:`json.loads`, which raise for what cannot be
serialised or parsed (TypeError, ``json.JSONDecodeError``; bytes that are not UTF-8 raise
UnicodeDecodeError).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps", "loads"]

#: The JSON module in use (pyzmq's name): the standard library's.
jsonmod = json


def dumps(obj: Any, **kwargs: Any) -> bytes:
    """``obj`` as JSON text, encoded as UTF-8."""
    return json.dumps(obj, **kwargs).encode("utf-8")


def loads(data: bytes | bytearray | memoryview | str, **kwargs: Any) -> Any:
    """The object in the JSON text ``data`` (UTF-8 bytes, or str)."""
    if isinstance(data, str):
        return json.loads(data, **kwargs)
    if isinstance(data, (bytes, bytearray, memoryview)):
        return json.loads(bytes(data).decode("utf-8"), **kwargs)
    raise TypeError(f"loads: data must be bytes or str, not {type(data).__name__}")
