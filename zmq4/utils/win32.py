"""pyzmq's ``zmq.utils.win32``: ``allow_interrupt``, the context manager that makes Ctrl-C
interrupt a blocking poll on Windows consoles.

zmq4 runs on POSIX systems, where (as with pyzmq there) nothing needs fixing: a blocking
zmq4 call waits with the GIL released and wakes for signals, so Ctrl-C raises
``KeyboardInterrupt`` at once. ``allow_interrupt`` therefore installs no handler and never
calls ``action``; it exists so that code written for pyzmq (which uses it unconditionally)
runs unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class allow_interrupt:  # noqa: N801 - pyzmq's name
    """``with allow_interrupt(action): ...`` — on POSIX, nothing to install (see module)."""

    def __init__(self, action: Callable[[], Any] | None = None) -> None:
        if action is not None and not callable(action):
            raise TypeError(f"action must be callable, not {type(action).__name__}")
        self.action = action

    def __enter__(self) -> allow_interrupt:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


__all__ = ["allow_interrupt"]
