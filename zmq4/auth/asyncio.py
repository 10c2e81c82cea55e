"""AsyncioAuthenticator: the ZAP handler as a task on an asyncio event loop.

Owns: the task that awaits requests on the handler socket (a :mod:`zmq4.asyncio` socket
wrapping the blocking REP that ``Authenticator.start`` binds) and answers each one with
:meth:`Authenticator.areply_for`, so an ``async def`` CURVE callback is awaited on this
loop. ``start`` must be called with the loop running (it creates the task); ``stop``
cancels the task and closes the socket.

Rules: never fail open. A request whose decision fails is refused by ``areply_for``; if
the task's loop itself fails it logs CRITICAL on ``zmq4.auth`` and answers 400 to every
request (the one in hand included) until ``stop()``; and if the task ends any other way
(the event loop closed, an exception it cannot answer through) the handler socket stays
bound until ``stop()``, so handshakes time out rather than find no handler (with none
bound, 4.0's rules would accept them).
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from .. import asyncio as zasyncio
from .. import zmq_h as C
from ..context import Context
from ..errors import ZMQError
from .base import Authenticator


class AsyncioAuthenticator(Authenticator):
    """Run the ZAP handler on the current asyncio loop (pyzmq's ``zmq.auth.asyncio``)."""

    def __init__(self, context: Context | None = None, loop: Any = None,
                 encoding: str = "utf-8", log: Any = None) -> None:
        super().__init__(context, encoding, log)
        if loop is not None:
            warnings.warn(f"{type(self).__name__}(loop=...) is deprecated and ignored "
                          "(pyzmq's rule): start() runs on the running loop",
                          DeprecationWarning, stacklevel=2)
        self._task: asyncio.Task[None] | None = None
        self._async_zap: zasyncio.Socket | None = None
        self._in_hand: list[bytes] | None = None

    def start(self) -> None:
        if self._task is not None:
            return
        loop = self._task_loop()  # no loop to run on: nothing is bound
        super().start()
        assert self.zap_socket is not None
        self._async_zap = zasyncio.Socket.from_socket(self.zap_socket)
        self._task = loop.create_task(self._run())

    def _task_loop(self) -> asyncio.AbstractEventLoop:
        """The loop the handler task runs on: the running one."""
        return asyncio.get_running_loop()

    async def _run(self) -> None:
        try:
            await self._serve(self.areply_for)
        except ZMQError as exc:
            if exc.errno in (C.ETERM, C.ENOTSOCK):
                return
            await self._fail_closed(exc)
        except Exception as exc:  # noqa: BLE001 - a failing handler must deny
            await self._fail_closed(exc)

    async def _serve(self, answer: Callable[[list[bytes]], Awaitable[list[bytes]]]) -> None:
        zap = self._async_zap
        assert zap is not None
        if self._in_hand is not None:  # the request the failed loop had read
            await zap.send_multipart(await answer(self._in_hand))
            self._in_hand = None
        while True:
            self._in_hand = await zap.recv_multipart()
            await zap.send_multipart(await answer(self._in_hand))
            self._in_hand = None

    async def _refuse(self, msg: list[bytes]) -> list[bytes]:
        return self.refusal_for(msg)

    async def _fail_closed(self, exc: BaseException) -> None:
        self.log.critical("zmq4.auth: the ZAP handler task failed (%s: %s); every "
                          "handshake on this context is refused until stop()",
                          type(exc).__name__, exc, exc_info=exc)
        try:
            await self._serve(self._refuse)
        except ZMQError as again:
            if again.errno in (C.ETERM, C.ENOTSOCK):
                return
            self.log.critical("zmq4.auth: the handler cannot answer (%s); its endpoint "
                              "stays bound so that handshakes time out instead of "
                              "passing", again)

    def stop(self) -> None:
        """Cancel the handler task and release the endpoint, also when the task's loop
        is already closed (then the task can no longer run; the socket goes all the
        same)."""
        task, self._task = self._task, None
        if task is not None:
            try:
                task.cancel()
            except RuntimeError:  # its loop is closed: cancelling would schedule on it
                pass
        zap, self._async_zap = self._async_zap, None
        if zap is not None:
            zap.close()
        self.zap_socket = None
        self._close_private_loop()


__all__ = ["AsyncioAuthenticator"]
