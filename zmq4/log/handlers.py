"""Log records published on a PUB socket (pyzmq's ``zmq.log.handlers``).

Owns :class:`PUBHandler` (a ``logging.Handler``) and :class:`TopicLogger`.

Wire format (pyzmq's, so its subscribers and ``python -m zmq.log`` read ours): each
record is a two-frame message ``[topic, text]``. The topic is dot-joined from the
handler's ``root_topic`` (when set), the level name (``INFO``...) and the record's own
subtopic: a message written ``"sub.topic::the text"`` has subtopic ``sub.topic`` and text
``the text``. The text is the record formatted by the formatter for its level (by
default ``"%(message)s\\n"`` for INFO, with file and line for the other levels), UTF-8.
A SUB subscribes to the root topic (or ``""``) to get them all.

Rules: the socket is used under the handler's lock (``logging`` serialises ``emit``), so
one handler may serve several threads. A record that cannot be formatted or sent goes to
``Handler.handleError`` (the ``logging`` convention: logging never raises into the
program; pyzmq lets a failed send raise from the logging call).
"""

from __future__ import annotations

import logging
from copy import copy
from typing import Any, Final

from .. import zmq_h as C
from ..context import Context
from ..socket import Socket

__all__ = ["TOPIC_DELIM", "PUBHandler", "TopicLogger"]

#: separates a record's subtopic from its text: ``log.info("db.query::slow")``
TOPIC_DELIM: Final = "::"

_WITH_PLACE = "%(levelname)s %(filename)s:%(lineno)d - %(message)s\n"


class PUBHandler(logging.Handler):
    """Publish log records on a PUB socket.

    ``PUBHandler(sock)`` uses a PUB socket you made (bound or connected);
    ``PUBHandler("tcp://*:5555", context=None)`` makes one in ``context`` (default: a new
    :class:`zmq4.Context`) and binds it."""

    formatters: dict[int, logging.Formatter | None]
    ctx: Context
    socket: Socket

    def __init__(self, interface_or_socket: str | Socket, context: Context | None = None,
                 root_topic: str = "") -> None:
        super().__init__()
        self.root_topic = root_topic
        self.formatters = {
            logging.DEBUG: logging.Formatter(_WITH_PLACE),
            logging.INFO: logging.Formatter("%(message)s\n"),
            logging.WARNING: logging.Formatter(_WITH_PLACE),
            logging.ERROR: logging.Formatter(
                "%(levelname)s %(filename)s:%(lineno)d - %(message)s - %(exc_info)s\n"),
            logging.CRITICAL: logging.Formatter(_WITH_PLACE),
        }
        if isinstance(interface_or_socket, Socket):
            self.socket = interface_or_socket
            self.ctx = interface_or_socket.context
        elif isinstance(interface_or_socket, str):
            self.ctx = context if context is not None else Context()
            self.socket = self.ctx.socket(C.PUB)
            self.socket.bind(interface_or_socket)
        else:
            raise TypeError("PUBHandler needs a zmq4 PUB socket or an endpoint to bind, "
                            f"not {type(interface_or_socket).__name__}")

    @property
    def root_topic(self) -> str:
        """The first part of every topic this handler publishes ('' for none)."""
        return self._root_topic

    @root_topic.setter
    def root_topic(self, value: str | bytes) -> None:
        self.setRootTopic(value)

    def setRootTopic(self, root_topic: str | bytes) -> None:  # noqa: N802 - pyzmq's name
        """Set :attr:`root_topic` (bytes are decoded as UTF-8)."""
        if isinstance(root_topic, bytes):
            root_topic = root_topic.decode("utf-8")
        if not isinstance(root_topic, str):
            raise TypeError(f"root_topic must be str, not {type(root_topic).__name__}")
        self._root_topic = root_topic

    def setFormatter(self, fmt: logging.Formatter | None,  # noqa: N802 - logging's name
                     level: int = logging.NOTSET) -> None:
        """Use ``fmt`` for records of ``level``, or for every level (the default)."""
        if level == logging.NOTSET:
            for each in self.formatters:
                self.formatters[each] = fmt
        else:
            self.formatters[level] = fmt

    def format(self, record: logging.LogRecord) -> str:
        """The record's text, by the formatter of its level (logging's default formatter
        for a level without one)."""
        fmt = self.formatters.get(record.levelno)
        if fmt is None:
            fmt = logging.Formatter("%(message)s\n")
        return fmt.format(record)

    def emit(self, record: logging.LogRecord) -> None:
        """Publish ``record`` as ``[topic, text]``."""
        text = str(record.msg)
        subtopic = ""
        if TOPIC_DELIM in text:
            subtopic, rest = text.split(TOPIC_DELIM, 1)
            record = copy(record)  # the caller's record stays as it was
            record.msg = rest
        try:
            body = self.format(record).encode("utf-8")
            parts = [self.root_topic] if self.root_topic else []
            parts.append(record.levelname)
            if subtopic:
                parts.append(subtopic)
            self.socket.send_multipart([".".join(parts).encode("utf-8", "replace"), body])
        except Exception:
            self.handleError(record)


class TopicLogger(logging.Logger):
    """A logger whose calls take a topic first: ``log.info("db.query", "took %d ms", n)``
    logs ``"db.query::took ... ms"``, which :class:`PUBHandler` publishes under that
    subtopic."""

    def log(self, level: int, topic: str, msg: str,  # type: ignore[override]
            *args: Any, **kwargs: Any) -> None:
        """Log ``msg % args`` at ``level`` under ``topic``."""
        super().log(level, f"{topic}{TOPIC_DELIM}{msg}", *args, **kwargs)

    def _topic_log(self, level: int, topic: str, msg: str, args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> None:
        if self.isEnabledFor(level):
            kwargs.setdefault("stacklevel", 1)
            kwargs["stacklevel"] += 2  # the caller of debug()/info()..., not this module
            self._log(level, f"{topic}{TOPIC_DELIM}{msg}", args, **kwargs)

    def debug(self, topic: str, msg: str, *args: Any,  # type: ignore[override]
              **kwargs: Any) -> None:
        self._topic_log(logging.DEBUG, topic, msg, args, kwargs)

    def info(self, topic: str, msg: str, *args: Any,  # type: ignore[override]
             **kwargs: Any) -> None:
        self._topic_log(logging.INFO, topic, msg, args, kwargs)

    def warning(self, topic: str, msg: str, *args: Any,  # type: ignore[override]
                **kwargs: Any) -> None:
        self._topic_log(logging.WARNING, topic, msg, args, kwargs)

    warn = warning  # type: ignore[assignment]

    def error(self, topic: str, msg: str, *args: Any,  # type: ignore[override]
              **kwargs: Any) -> None:
        self._topic_log(logging.ERROR, topic, msg, args, kwargs)

    def exception(self, topic: str, msg: str, *args: Any,  # type: ignore[override]
                  exc_info: Any = True, **kwargs: Any) -> None:
        self._topic_log(logging.ERROR, topic, msg, args, dict(kwargs, exc_info=exc_info))

    def critical(self, topic: str, msg: str, *args: Any,  # type: ignore[override]
                 **kwargs: Any) -> None:
        self._topic_log(logging.CRITICAL, topic, msg, args, kwargs)

    fatal = critical  # type: ignore[assignment]
