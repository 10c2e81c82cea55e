"""ThreadAuthenticator: the ZAP handler in a background thread.

Owns: the handler thread and its stop pipe. ``start`` binds the handler socket in the
calling thread (so a server bound right after ``start`` returns is already protected),
then hands it to the thread, which owns it from then on. The thread sleeps in a poll on
the handler socket and an inproc PAIR stop pipe: no busy loop. ``stop`` (or the context
being terminated) ends it; the thread closes the sockets it owns.

Rules: the thread's sockets are plain blocking :class:`zmq4.Socket` whatever the
context's default socket class. The handler never fails open: a request whose decision
fails is refused by :meth:`Authenticator.reply_for`, and if the loop itself fails the
thread logs it (CRITICAL on ``zmq4.auth``) and goes on answering 400 to every request,
the one in hand included, until ``stop()``. Only ``stop()`` and context termination
unbind the handler endpoint (with none bound, 4.0's rules would accept handshakes).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from .. import zmq_h as C
from ..errors import ZMQError
from ..sugar.poll import Poller
from ..sugar.socket import Socket
from .base import Authenticator

_ids = itertools.count()


class ThreadAuthenticator(Authenticator):
    """Run the ZAP handler in a daemon thread (pyzmq's ``zmq.auth.thread`` interface)."""

    #: the inproc endpoint of the stop pipe between the caller and the thread (once started)
    pipe_endpoint: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.thread: threading.Thread | None = None
        self._pipe: Socket | None = None  # our end of the stop pipe
        self._in_hand: list[bytes] | None = None  # a request read and not yet answered
        self._stranded: Socket | None = None  # a handler socket the thread could not use

    def start(self) -> None:
        if self.thread is not None:
            return
        super().start()
        zap = self.zap_socket
        assert zap is not None
        endpoint = f"inproc://zmq4.auth.stop.{id(self):x}.{next(_ids)}"
        self.pipe_endpoint = endpoint
        inner = self.context.socket(C.PAIR, socket_class=Socket)
        inner.linger = 0
        inner.bind(endpoint)
        outer = self.context.socket(C.PAIR, socket_class=Socket)
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
        release = True
        try:
            self._serve(zap, pipe, poller, self.reply_for)
        except ZMQError as exc:
            if exc.errno != C.ETERM:
                release = self._fail_closed(zap, pipe, poller, exc)
        except BaseException as exc:  # noqa: BLE001 - a failing handler must deny
            release = self._fail_closed(zap, pipe, poller, exc)
        finally:
            self._close_private_loop()
            if release:
                zap.close()
            else:
                self._stranded = zap  # bound and silent: handshakes end at their deadline
            pipe.close()

    def _serve(self, zap: Socket, pipe: Socket, poller: Poller,
               answer: Callable[[list[bytes]], list[bytes]]) -> None:
        if self._in_hand is not None:  # the request the failed loop had read
            zap.send_multipart(answer(self._in_hand))
            self._in_hand = None
        while True:
            ready = dict(poller.poll())
            if pipe in ready:
                return  # stop()
            if zap in ready:
                self._in_hand = zap.recv_multipart()
                zap.send_multipart(answer(self._in_hand))
                self._in_hand = None

    def _fail_closed(self, zap: Socket, pipe: Socket, poller: Poller,
                     exc: BaseException) -> bool:
        """The handler loop failed: refuse everything until stop(). Returns whether the
        handler socket may be closed (False: it stays bound, unanswered)."""
        self.log.critical("zmq4.auth: the ZAP handler thread failed (%s: %s); every "
                          "handshake on this context is refused until stop()",
                          type(exc).__name__, exc, exc_info=exc)
        try:
            self._serve(zap, pipe, poller, self.refusal_for)
        except ZMQError as again:
            if again.errno == C.ETERM:
                return True
            failure: BaseException = again
        except BaseException as again:  # noqa: BLE001 - keep the endpoint bound
            failure = again
        else:
            return True
        self.log.critical("zmq4.auth: the handler cannot answer (%s: %s); its endpoint "
                          "stays bound so that handshakes time out instead of passing",
                          type(failure).__name__, failure)
        return False

    def stop(self) -> None:
        """Stop the thread and release the handler endpoint (idempotent)."""
        thread, pipe = self.thread, self._pipe
        if thread is None:
            return
        self.thread = self._pipe = None
        if pipe is not None:
            try:
                pipe.send(b"TERMINATE", C.DONTWAIT)
            except ZMQError:
                pass  # context terminated (the thread ends on ETERM) or thread gone
        thread.join()
        if pipe is not None:
            pipe.close()
        stranded, self._stranded = self._stranded, None
        if stranded is not None:
            stranded.close()
        self.zap_socket = None  # closed by the thread

    def is_alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def __enter__(self) -> ThreadAuthenticator:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


__all__ = ["ThreadAuthenticator"]
