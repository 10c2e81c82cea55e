"""IOLoopAuthenticator: the ZAP handler on a tornado IOLoop (pyzmq's ``zmq.auth.ioloop``,
deprecated there since pyzmq 25: tornado runs on asyncio, so
:class:`~zmq4.auth.asyncio.AsyncioAuthenticator` does the same job). Importing this module
warns with ``DeprecationWarning``, as pyzmq's does.

Owns only the choice of loop: it is :class:`AsyncioAuthenticator`, whose handler task runs
on the running loop, or, when ``start()`` is called before the IOLoop runs (the usual
tornado order: set up, then ``IOLoop.current().start()``), on the asyncio loop of the
``io_loop`` given (deprecated) or of ``IOLoop.current()``. Every guarantee of
:mod:`zmq4.auth.asyncio` holds unchanged: a failing decision denies, the handler socket
is a plain blocking socket whatever the context's socket class, and a failing handler
loop keeps the endpoint bound answering 400 (or bound and silent) until ``stop()``.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

from tornado.ioloop import IOLoop

from ..context import Context
from .asyncio import AsyncioAuthenticator

__all__ = ["IOLoopAuthenticator"]

warnings.warn("zmq4.auth.ioloop.IOLoopAuthenticator (pyzmq's zmq.auth.ioloop) is deprecated: "
              "use zmq4.auth.asyncio.AsyncioAuthenticator, which runs on tornado's loop too",
              DeprecationWarning, stacklevel=2)


class IOLoopAuthenticator(AsyncioAuthenticator):
    """ZAP authentication on a tornado IOLoop; ``start()`` may be called before the loop
    runs."""

    def __init__(self, context: Context | None = None, encoding: str = "utf-8",
                 log: Any = None, io_loop: IOLoop | None = None) -> None:
        super().__init__(context, encoding=encoding, log=log)
        if io_loop is not None:
            warnings.warn(f"{type(self).__name__}(io_loop=...) is deprecated: the handler "
                          "runs on the running loop, or on this one if none runs at start()",
                          DeprecationWarning, stacklevel=2)
        self.io_loop = io_loop

    def _task_loop(self) -> asyncio.AbstractEventLoop:
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            io_loop = self.io_loop if self.io_loop is not None else IOLoop.current()
            loop: asyncio.AbstractEventLoop = io_loop.asyncio_loop  # type: ignore[attr-defined]
            return loop
