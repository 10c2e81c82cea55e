"""AsyncioAuthenticator: the ZAP handler as a task on an asyncio event loop.

Owns: the task that awaits requests on the handler socket (a :mod:`zmq4.asyncio` socket
wrapping the REP that ``Authenticator.start`` binds) and answers each one. ``start`` must
be called with the loop running (it creates the task); ``stop`` cancels the task and
closes the socket.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .. import asyncio as zasyncio
from .. import constants as C
from ..errors import ZMQError
from .base import Authenticator


class AsyncioAuthenticator(Authenticator):
    """Run the ZAP handler on the current asyncio loop (pyzmq's ``zmq.auth.asyncio``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._task: asyncio.Task[None] | None = None
        self._async_zap: zasyncio.Socket | None = None

    def start(self) -> None:
        if self._task is not None:
            return
        super().start()
        assert self.zap_socket is not None
        self._async_zap = zasyncio.Socket.from_socket(self.zap_socket)
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        zap = self._async_zap
        assert zap is not None
        while True:
            try:
                msg = await zap.recv_multipart()
                await zap.send_multipart(self.reply_for(msg))
            except ZMQError as exc:
                if exc.errno in (C.ETERM, C.ENOTSOCK):
                    return
                self.log.exception("zmq4.auth: handler task failed")
                return

    def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
        zap, self._async_zap = self._async_zap, None
        if zap is not None:
            zap.close()
        self.zap_socket = None
