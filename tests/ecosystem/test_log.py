"""zmq4.log (pyzmq's zmq.log): PUBHandler's wire format side by side with pyzmq's (the same
records give the same frames), root topics and subtopics, per-level formatters,
TopicLogger, a failing send that does not raise into the program, and the
``python -m zmq4.log`` watcher reading zmq4's and pyzmq's publishers alike."""

from __future__ import annotations

import importlib
import logging
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest

TIMEOUT_MS = 10000
_n = iter(range(1 << 30))


def _modules(name: str) -> tuple[Any, Any]:
    base = "zmq4" if name == "zmq4" else "zmq"
    return importlib.import_module(base), importlib.import_module(base + ".log.handlers")


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger(f"zmq4-test-log-{next(_n)}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log
    for h in list(log.handlers):
        log.removeHandler(h)


def published(name: str, logger: logging.Logger, root_topic: str,
              emit: Any) -> list[list[bytes]]:
    """What a PUBHandler of implementation ``name`` publishes when ``emit(logger)`` runs,
    as a SUB subscribed to everything receives it."""
    zmq, handlers = _modules(name)
    ctx = zmq.Context()
    try:
        endpoint = f"inproc://log-{next(_n)}"
        handler = handlers.PUBHandler(endpoint, context=ctx, root_topic=root_topic)
        handler.setLevel(logging.DEBUG)
        sub = ctx.socket(zmq.SUB)
        sub.linger = 0
        sub.rcvtimeo = TIMEOUT_MS
        sub.subscribe(b"")
        sub.connect(endpoint)
        logger.addHandler(handler)
        try:
            emit(logger)  # inproc: the subscription is there before the first send
            out = []
            while sub.poll(200):
                out.append(sub.recv_multipart())
            return out
        finally:
            logger.removeHandler(handler)
            handler.socket.close(0)
            sub.close()
    finally:
        ctx.term()


def _emit_all(log: logging.Logger) -> None:
    log.debug("debugging %d", 1)
    log.info("plain info")
    log.info("sub.topic::with a subtopic")
    log.warning("careful")
    log.error("bad %s", "thing")
    log.critical("fatal::stop")


@pytest.mark.parametrize("root_topic", ["", "myapp"])
def test_the_same_records_give_the_same_frames_as_pyzmq(
        logger: logging.Logger, root_topic: str) -> None:
    ours = published("zmq4", logger, root_topic, _emit_all)
    theirs = published("pyzmq", logger, root_topic, _emit_all)
    assert len(ours) == 6
    assert ours == theirs
    prefix = f"{root_topic}." if root_topic else ""
    assert [t for t, _ in ours] == [f"{prefix}{x}".encode() for x in
                                    ("DEBUG", "INFO", "INFO.sub.topic", "WARNING", "ERROR",
                                     "CRITICAL.fatal")]
    assert ours[1][1] == b"plain info\n"
    assert ours[2][1] == b"with a subtopic\n"
    assert ours[0][1].startswith(b"DEBUG test_log.py:") and b"debugging 1" in ours[0][1]


def test_handler_on_a_given_socket_formatters_and_root_topic(logger: logging.Logger) -> None:
    import zmq4
    from zmq4.log.handlers import PUBHandler

    with zmq4.Context() as ctx:
        pub = ctx.socket(zmq4.PUB)
        pub.bind("inproc://log-given")
        sub = ctx.socket(zmq4.SUB)
        sub.rcvtimeo = TIMEOUT_MS
        sub.subscribe(b"app")
        sub.connect("inproc://log-given")
        handler = PUBHandler(pub)
        assert handler.socket is pub and handler.ctx is ctx
        handler.root_topic = b"app"  # bytes are decoded
        assert handler.root_topic == "app"
        handler.setFormatter(logging.Formatter("<%(message)s>"))  # every level
        logger.addHandler(handler)
        logger.warning("w")
        assert sub.recv_multipart() == [b"app.WARNING", b"<w>"]
        handler.setFormatter(logging.Formatter("[%(levelname)s]"), logging.INFO)
        logger.info("i")
        logger.error("e")
        assert sub.recv_multipart() == [b"app.INFO", b"[INFO]"]
        assert sub.recv_multipart() == [b"app.ERROR", b"<e>"]
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "t::m", None, None)
        handler.handle(record)
        assert record.msg == "t::m"  # the caller's record is not changed
        assert sub.recv_multipart() == [b"app.INFO.t", b"[INFO]"]
        logger.removeHandler(handler)
        ctx.destroy(linger=0)


def test_topic_logger_puts_the_topic_in_front(logger: logging.Logger) -> None:
    from zmq4.log.handlers import TopicLogger

    old = logging.getLoggerClass()
    logging.setLoggerClass(TopicLogger)
    try:
        tlog = logging.getLogger(f"zmq4-topic-{next(_n)}")
    finally:
        logging.setLoggerClass(old)
    assert isinstance(tlog, TopicLogger)
    tlog.setLevel(logging.DEBUG)
    tlog.propagate = False

    def emit(log: Any) -> None:
        log.debug("db.query", "took %d ms", 5)
        log.info("db", "up")
        log.warning("disk", "full")
        log.error("net", "down")
        log.critical("all", "gone")
        log.log(logging.INFO, "by.level", "explicit")
        try:
            raise KeyError("k")
        except KeyError:
            log.exception("trace", "caught")

    frames = published("zmq4", tlog, "", emit)  # type: ignore[arg-type]
    assert [t for t, _ in frames] == [b"DEBUG.db.query", b"INFO.db", b"WARNING.disk",
                                      b"ERROR.net", b"CRITICAL.all", b"INFO.by.level",
                                      b"ERROR.trace"]
    assert b"took 5 ms" in frames[0][1]
    assert frames[0][1].startswith(b"DEBUG test_log.py:")  # the caller's file and line
    assert b"KeyError" in frames[-1][1]


def test_a_failing_send_goes_to_handle_error_not_to_the_caller(
        logger: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    import zmq4
    from zmq4.log.handlers import PUBHandler

    ctx = zmq4.Context()
    handler = PUBHandler("inproc://log-closed", context=ctx)
    logger.addHandler(handler)
    handler.socket.close()
    errors: list[logging.LogRecord] = []
    monkeypatch.setattr(handler, "handleError", errors.append)
    logger.info("nobody hears this")  # must not raise
    assert [r.getMessage() for r in errors] == ["nobody hears this"]
    ctx.term()


def test_a_bad_argument_is_a_type_error() -> None:
    from zmq4.log.handlers import PUBHandler

    with pytest.raises(TypeError, match="PUB socket or an endpoint"):
        PUBHandler(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("publisher", ["zmq4", "pyzmq"])
def test_the_watcher_prints_what_a_publisher_sends(publisher: str, tmp_path: Any) -> None:
    """``python -m zmq4.log`` against a tcp PUBHandler of zmq4 and of pyzmq."""
    zmq, handlers = _modules(publisher)
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.linger = 0
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    handler = handlers.PUBHandler(pub, root_topic="svc")
    log = logging.getLogger(f"zmq4-watch-{next(_n)}")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.addHandler(handler)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "zmq4.log", "--topic", "svc", "--separator", " :: ",
         "--align", f"tcp://127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tempfile.gettempdir())
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        # PUB drops until the watcher's subscription arrives: publish until it shows up
        import selectors
        sel = selectors.DefaultSelector()
        assert watcher.stdout is not None
        sel.register(watcher.stdout, selectors.EVENT_READ)
        while not lines:
            assert time.monotonic() < deadline, "the watcher printed nothing"
            assert watcher.poll() is None, watcher.stderr.read()  # type: ignore[union-attr]
            log.info("hello::world")
            if sel.select(0.1):
                lines.append(watcher.stdout.readline())
        log.warning("second")
        if sel.select(10):
            lines.append(watcher.stdout.readline())
        sel.close()
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(30) == 0  # Ctrl-C ends it cleanly
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
        log.removeHandler(handler)
        pub.close()
        ctx.term()
    assert lines[0] == "svc.INFO.hello :: world\n"
    assert lines[1].startswith("svc.WARNING") and lines[1].rstrip().endswith("second")
    assert " :: WARNING " in lines[1]  # the default WARNING format names the level


def test_python_dash_m_zmq_log_through_the_switch() -> None:
    """pyzmq's spelling, ``python -m zmq.log``, on the switch: zmq4's watcher."""
    out = subprocess.run([sys.executable, "-m", "zmq4.run", "-m", "zmq.log", "-h"],
                         capture_output=True, text=True, timeout=60,
                         cwd=tempfile.gettempdir())
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: python -m zmq.log")
    assert "--align" in out.stdout
