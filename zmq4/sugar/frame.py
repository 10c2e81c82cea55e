"""The frame of the object API (``zmq4.Frame``, pyzmq's ``zmq.sugar.frame``).

Owns pyzmq's sugar over the backend frame (:class:`zmq4.backend.frame.Frame`, which holds
the payload, the buffer export, ``bytes``, ``get``/``set`` and tracking): dictionary-style
property access (``frame["User-Id"]``, ``frame[zmq4.MORE]``), the draft ``group`` and
``routing_id`` properties, and the repr. Rules: the same as ``get``/``set`` — only
``MORE`` exists in libzmq 4.0; string properties, ``group`` and ``routing_id`` are
``ZMQVersionError`` (pyzmq's answer on libzmq 4.0).
Imports: the backend frame and the leaves.
"""

from __future__ import annotations

from typing import Any

from .._face import package_name
from ..backend.frame import Frame as FrameBase
from ..errors import ZMQVersionError


class Frame(FrameBase):
    """One message frame (pyzmq's ``zmq.Frame``); see :class:`zmq4.backend.frame.Frame`."""

    __slots__ = ()

    def __getitem__(self, key: int | str | bytes) -> int:
        return self.get(key)

    @property
    def group(self) -> str:
        """The RADIO/DISH group (draft, libzmq 4.2): ``ZMQVersionError``."""
        raise ZMQVersionError("4.2", "Frame.group (RADIO/DISH)")

    @group.setter
    def group(self, value: Any) -> None:
        raise ZMQVersionError("4.2", "Frame.group (RADIO/DISH)")

    @property
    def routing_id(self) -> int:
        """The CLIENT/SERVER routing id (draft, libzmq 4.2): ``ZMQVersionError``."""
        raise ZMQVersionError("4.2", "Frame.routing_id (CLIENT/SERVER)")

    @routing_id.setter
    def routing_id(self, value: Any) -> None:
        raise ZMQVersionError("4.2", "Frame.routing_id (CLIENT/SERVER)")

    def __repr__(self) -> str:
        # pyzmq's shape: up to 16 bytes in full, else the first 12 and the size
        n = len(self)
        if n <= 16:
            return f"<{package_name()}.{type(self).__name__}({self.bytes!r})>"
        head = bytes(memoryview(self._msg.data)[:12])
        for unit, scale in (("GB", 10**9), ("MB", 2**20), ("kB", 1000)):
            if n >= scale:
                size = f"{n // (10**6 if unit == 'MB' else scale):.0f}{unit}"
                break
        else:
            size = f"{n}B"
        return f"<{package_name()}.{type(self).__name__}({head!r}...{size})>"


#: pyzmq's older name for :class:`Frame`.
Message = Frame

__all__ = ["Frame", "Message"]
