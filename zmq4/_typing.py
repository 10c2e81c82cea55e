"""pyzmq's ``zmq._typing``: the typing names its modules share (``TypeAlias``)."""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["TypeAlias"]
