"""ThreadAuthenticator: the ZAP handler in a background thread.

Owns: the handler thread and its stop pipe. ``start`` binds the handler socket in the
calling thread (so a server bound right after ``start`` returns is already protected),
then hands it to the thread, which owns it from then on. The thread sleeps in a poll on
the handler socket and an inproc PAIR stop pipe: no busy loop. ``stop`` (or the context
being terminated) ends it; the thread closes the sockets it owns.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from .. import constants as C
from ..errors import ZMQError
from ..poller import Poller
from ..socket import Socket
from .base import Authenticator

_ids = itertools.count()


class ThreadAuthenticator(Authenticator):
    """Run the ZAP handler in a daemon thread (pyzmq's ``zmq.auth.thread`` interface)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.thread: threading.Thread | None = None
        self._pipe: Socket | None = None  # our end of the stop pipe

    def start(self) -> None:
        if self.thread is not None:
            return
        super().start()
        zap = self.zap_socket
        assert zap is not None
        endpoint = f"inproc://zmq4.auth.stop.{id(self):x}.{next(_ids)}"
        inner = self.context.socket(C.PAIR)
        inner.linger = 0
        inner.bind(endpoint)
        outer = self.context.socket(C.PAIR)
        outer.linger = 0
        outer.connect(endpoint)
        self._pipe = outer
        self.thread = threading.Thread(target=self._run, args=(zap, inner),
                                       name="zmq4-auth", daemon=True)
        self.thread.start()

    def _run(self, zap: Socket, pipe: Socket) -> None:
        poller = Poller()
        poller.register(zap, C.POLLIN)
        poller.register(pipe, C.POLLIN)
        try:
            while True:
                ready = dict(poller.poll())
                if pipe in ready:
                    break  # stop()
                if zap in ready:
                    zap.send_multipart(self.reply_for(zap.recv_multipart()))
        except ZMQError as exc:
            if exc.errno != C.ETERM:
                self.log.exception("zmq4.auth: handler thread failed")
        finally:
            zap.close()
            pipe.close()

    def stop(self) -> None:
        """Stop the thread and release the handler endpoint (idempotent)."""
        thread, pipe = self.thread, self._pipe
        if thread is None:
            return
        self.thread = self._pipe = None
        if pipe is not None:
            try:
                pipe.send(b"TERMINATE")
            except ZMQError:
                pass  # context terminated: the thread ends on ETERM by itself
        thread.join()
        if pipe is not None:
            pipe.close()
        self.zap_socket = None  # closed by the thread

    def is_alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def __enter__(self) -> ThreadAuthenticator:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
