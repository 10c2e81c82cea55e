# cython: annotation_typing=False
"""The C-style face: libzmq 4.0's API under its C names (``zmq_ctx_new``, ``zmq_send``...).

Owns: the calling convention shared by this face and the C-ABI shim (which forwards here):
- same names, argument order and meaning as C; input pointers take bytes-like objects
  (str accepted for endpoints and string options); length arguments beside a buffer stay;
- pure output parameters are dropped and returned (``zmq_version() -> (4, 0, 10)``,
  ``zmq_getsockopt(s, opt) -> value``, ``zmq_curve_keypair() -> (public, secret)``);
- failure is ``-1`` where C returns int and ``None`` where C returns a pointer, with the code
  in ``zmq_errno()`` (per thread). The core raises ``ZMQError``; this module is the one place
  that turns exceptions into errno (``zmq4.errors.errno_of``).
Every ``ZMQ_*`` constant is re-exported here with its prefix.
Imports point down: core, msg, z85, _sodium, constants, errors.

Compiled by Cython in pure-Python mode (``capi.pxd``: ``zmq_msg_t`` becomes a cdef class, the
send/recv functions read ``Msg`` fields directly); interpreted, this file behaves the same.
"""

from __future__ import annotations

import threading
import time as _time
from typing import Any, Callable, Optional

from . import _sodium, z85
from . import zmq_h as _C
from .core import poll as _poll
from .core import proxy as _proxy
from .core.ctx import Context as _Context
from .core.fastpath import recv as _recv
from .core.fastpath import send as _send
from .core.socket_base import SocketBase as _Socket
from .errors import ZMQError, errno_of
from .errors import strerror as _strerror
from .msg import MORE as _MORE
from .msg import Msg as _Msg
from .msg import PayloadOwner as _PayloadOwner
from .msg import frame as _frame
from .msg import payload_size as _payload_size

# ZMQ_* constants with their prefix; errno names bare, as C code sees them (Linux values).
for _name, _value in _C.ALL.items():
    globals()[_name if _name in _C.ERRNOS else "ZMQ_" + _name] = _value
del _name, _value

_tls = threading.local()


def _fail(exc: BaseException) -> int:
    _tls.errno = errno_of(exc)
    if isinstance(exc, KeyboardInterrupt):
        # C semantics: the Python handler ran (raising KeyboardInterrupt); the call reports EINTR.
        _tls.errno = _C.EINTR
    return -1


def _set_errno(code: int) -> None:
    _tls.errno = code


def _sock(s: Any) -> _Socket:
    if isinstance(s, _Socket):
        return s
    raise ZMQError(_C.ENOTSOCK, f"not a zmq4 socket: {type(s).__name__}")


def _ctx(c: Any) -> _Context:
    if isinstance(c, _Context) and not c.freed:
        return c
    raise ZMQError(_C.EFAULT, f"not a live zmq4 context: {type(c).__name__}")


def _endpoint(endpoint: Any) -> str:
    if isinstance(endpoint, str):
        return endpoint
    if isinstance(endpoint, (bytes, bytearray, memoryview)):
        raw = bytes(endpoint)
        raw = raw.split(b"\0", 1)[0]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ZMQError(_C.EINVAL, "endpoint is not valid UTF-8") from None
    raise ZMQError(_C.EINVAL, f"endpoint must be str or bytes, not {type(endpoint).__name__}")


def _payload(buf: Any, length: int) -> memoryview:
    if buf is None:
        if length:
            raise ZMQError(_C.EFAULT, "NULL buffer with non-zero length")
        return memoryview(b"")
    if isinstance(buf, str):
        buf = buf.encode("utf-8")
    try:
        view = memoryview(buf).cast("B")
    except TypeError:
        raise ZMQError(_C.EFAULT, f"buffer must be bytes-like, not {type(buf).__name__}") from None
    if length < 0 or length > view.nbytes:
        raise ZMQError(_C.EINVAL, f"length {length} exceeds buffer of {view.nbytes} bytes")
    return view[:length] if length != view.nbytes else view


# ---------------------------------------------------------------------------- 1.1 version/errors

def zmq_version() -> tuple[int, int, int]:
    """``void zmq_version(int *major, int *minor, int *patch)`` -> (major, minor, patch)."""
    return (_C.VERSION_MAJOR, _C.VERSION_MINOR, _C.VERSION_PATCH)


def zmq_errno() -> int:
    """``int zmq_errno(void)``: the errno of the last failed call in this thread."""
    return getattr(_tls, "errno", 0)


def zmq_strerror(errnum: int) -> Optional[str]:
    """``const char *zmq_strerror(int errnum)``: libzmq's text for errnum (any C int);
    None + EINVAL for a value that is not an int."""
    if isinstance(errnum, bool) or not isinstance(errnum, int):
        _set_errno(_C.EINVAL)
        return None
    if not -(2 ** 31) <= errnum < 2 ** 31:
        return f"Unknown error {errnum}"
    return _strerror(errnum)


# ---------------------------------------------------------------------------- 1.2 context

def zmq_ctx_new() -> Optional[_Context]:
    """``void *zmq_ctx_new(void)``."""
    return _Context()


def zmq_ctx_term(context: Any) -> int:
    """``int zmq_ctx_term(void *context)``: blocks until every socket is closed and lingered."""
    try:
        _ctx(context).term()
        return 0
    except BaseException as e:  # noqa: B036 - errno convention, KeyboardInterrupt -> EINTR
        return _fail(e)


def zmq_ctx_shutdown(context: Any) -> int:
    """``int zmq_ctx_shutdown(void *context)``: blocking calls in any thread get ETERM."""
    try:
        _ctx(context).shutdown()
        return 0
    except Exception as e:
        return _fail(e)


def zmq_ctx_set(context: Any, option: int, optval: int) -> int:
    """``int zmq_ctx_set(void *context, int option, int optval)``."""
    try:
        _ctx(context).set(option, optval)
        return 0
    except Exception as e:
        return _fail(e)


def zmq_ctx_get(context: Any, option: int) -> int:
    """``int zmq_ctx_get(void *context, int option)``."""
    try:
        return _ctx(context).get(option)
    except Exception as e:
        return _fail(e)


def zmq_init(io_threads: int) -> Optional[_Context]:
    """``void *zmq_init(int io_threads)`` (deprecated): ctx_new + IO_THREADS."""
    if isinstance(io_threads, bool) or not isinstance(io_threads, int) or io_threads < 0:
        _set_errno(_C.EINVAL)
        return None
    ctx = _Context()
    try:
        ctx.set(_C.IO_THREADS, io_threads)
    except ZMQError as e:  # beyond a C int
        _set_errno(e.errno)
        return None
    return ctx


def zmq_term(context: Any) -> int:
    """``int zmq_term(void *context)`` (deprecated alias of zmq_ctx_term)."""
    return zmq_ctx_term(context)


def zmq_ctx_destroy(context: Any) -> int:
    """``int zmq_ctx_destroy(void *context)`` (deprecated alias of zmq_ctx_term)."""
    return zmq_ctx_term(context)


# ---------------------------------------------------------------------------- 1.3 messages

class zmq_msg_t:  # noqa: N801 - the C type's name
    """The message object for ``zmq_msg_*`` (C: an opaque 32-byte struct).

    ``zmq_msg_t()`` is uninitialised, as a C stack variable is; call ``zmq_msg_init*``.
    """

    __slots__ = ("_msg", "_more", "__weakref__")

    def __init__(self) -> None:
        self._msg: Optional[_Msg] = None
        self._more = False

    def __repr__(self) -> str:
        return f"zmq_msg_t({self._msg!r})"


def _live(msg: Any) -> _Msg:
    if not isinstance(msg, zmq_msg_t):
        raise ZMQError(_C.EFAULT, f"not a zmq_msg_t: {type(msg).__name__}")
    if msg._msg is None:
        raise ZMQError(_C.EFAULT, "message is not initialised (or was closed)")
    return msg._msg


def _msg_obj(msg: Any) -> zmq_msg_t:
    if not isinstance(msg, zmq_msg_t):
        raise ZMQError(_C.EFAULT, f"not a zmq_msg_t: {type(msg).__name__}")
    return msg


def zmq_msg_init(msg: Any) -> int:
    """``int zmq_msg_init(zmq_msg_t *msg)``: an empty message."""
    try:
        m = _msg_obj(msg)
        m._msg = _Msg(b"")
        m._more = False
        return 0
    except Exception as e:
        return _fail(e)


def zmq_msg_init_size(msg: Any, size: int) -> int:
    """``int zmq_msg_init_size(zmq_msg_t *msg, size_t size)``: writable via zmq_msg_data."""
    try:
        m = _msg_obj(msg)
        if not isinstance(size, int) or size < 0:
            raise ZMQError(_C.EINVAL, f"invalid message size {size!r}")
        m._msg = _Msg(bytearray(size))
        m._more = False
        return 0
    except MemoryError as e:
        return _fail(e)
    except Exception as e:
        return _fail(e)


def zmq_msg_init_data(msg: Any, data: Any, size: int,
                      ffn: Optional[Callable[[Any, Any], Any]] = None, hint: Any = None) -> int:
    """``int zmq_msg_init_data(zmq_msg_t *msg, void *data, size_t size, zmq_free_fn *ffn,
    void *hint)``: zero-copy; ``ffn(data, hint)`` runs exactly once when the last frame
    referencing the payload is released (from any thread). ``ffn=None``: constant data."""
    try:
        m = _msg_obj(msg)
        if ffn is not None and not callable(ffn):
            raise ZMQError(_C.EINVAL, "zmq_msg_init_data: the free function is not callable")
        view = _payload(data, size)
        owner = _PayloadOwner(ffn, data, hint) if ffn is not None else None
        m._msg = _Msg(view, 0, owner)
        m._more = False
        return 0
    except Exception as e:
        return _fail(e)


def zmq_msg_send(msg: Any, s: Any, flags: int) -> int:
    """``int zmq_msg_send(zmq_msg_t *msg, void *s, int flags)``: on success msg is emptied."""
    try:
        frame = _live(msg)
        sock = _sock(s)
        size = _payload_size(frame.data)
        _send(sock, frame, flags)
        msg._msg = _frame(b"")
        return size
    except BaseException as e:  # noqa: B036
        return _fail(e)


def zmq_msg_recv(msg: Any, s: Any, flags: int) -> int:
    """``int zmq_msg_recv(zmq_msg_t *msg, void *s, int flags)``: returns the frame size."""
    try:
        m = _msg_obj(msg)
        if m._msg is None:
            raise ZMQError(_C.EFAULT, "message is not initialised")
        frame = _recv(_sock(s), flags)
        m._msg = frame
        m._more = (frame.flags & _MORE) != 0
        return _payload_size(frame.data)
    except BaseException as e:  # noqa: B036
        return _fail(e)


def zmq_msg_close(msg: Any) -> int:
    """``int zmq_msg_close(zmq_msg_t *msg)``: drops this reference to the payload."""
    try:
        m = _msg_obj(msg)
        if m._msg is None:
            raise ZMQError(_C.EFAULT, "message is not initialised (or was already closed)")
        m._msg = None
        return 0
    except Exception as e:
        return _fail(e)


def zmq_msg_move(dest: Any, src: Any) -> int:
    """``int zmq_msg_move(zmq_msg_t *dest, zmq_msg_t *src)``: src becomes empty."""
    try:
        d, s = _msg_obj(dest), _msg_obj(src)
        frame = _live(s)
        d._msg, d._more = frame, s._more
        s._msg, s._more = _Msg(b""), False
        return 0
    except Exception as e:
        return _fail(e)


def zmq_msg_copy(dest: Any, src: Any) -> int:
    """``int zmq_msg_copy(zmq_msg_t *dest, zmq_msg_t *src)``: shares the payload, no copy."""
    try:
        d, s = _msg_obj(dest), _msg_obj(src)
        d._msg, d._more = _live(s).copy(), s._more
        return 0
    except Exception as e:
        return _fail(e)


def zmq_msg_data(msg: Any) -> Optional[memoryview]:
    """``void *zmq_msg_data(zmq_msg_t *msg)`` -> a memoryview of the payload (writable for
    messages made by zmq_msg_init_size). None + EFAULT for an invalid message."""
    try:
        data = _live(msg).data
        return data if isinstance(data, memoryview) else memoryview(data)
    except Exception as e:
        _fail(e)
        return None


def zmq_msg_size(msg: Any) -> int:
    """``size_t zmq_msg_size(zmq_msg_t *msg)``."""
    try:
        return _live(msg).size
    except Exception as e:
        return _fail(e)


def zmq_msg_more(msg: Any) -> int:
    """``int zmq_msg_more(zmq_msg_t *msg)``: 1 if more frames follow this received one."""
    try:
        return int(_msg_obj(msg)._more)
    except Exception as e:
        return _fail(e)


def zmq_msg_get(msg: Any, option: int) -> int:
    """``int zmq_msg_get(zmq_msg_t *msg, int option)``: only ZMQ_MORE."""
    try:
        m = _msg_obj(msg)
        if option == _C.MORE:
            return int(m._more)
        raise ZMQError(_C.EINVAL, f"unknown message property {option}")
    except Exception as e:
        return _fail(e)


def zmq_msg_set(msg: Any, option: int, optval: int) -> int:
    """``int zmq_msg_set(zmq_msg_t *msg, int option, int optval)``: nothing settable in 4.0."""
    _set_errno(_C.EINVAL)
    return -1


# ---------------------------------------------------------------------------- 1.4 sockets

def zmq_socket(context: Any, type: int) -> Optional[_Socket]:  # noqa: A002 - C name
    """``void *zmq_socket(void *context, int type)``.

    A STREAM socket starts as libzmq 4.0's does: silent about its connections opening and
    closing (ZMQ_STREAM_NOTIFY 0; set it to 1 for 4.1+'s ``[id][empty]`` notifications,
    the object API's default, as pyzmq's libzmq). This face and the C shim are 4.0: a
    program written for 4.0 cannot know the option exists to turn it off."""
    try:
        sock = _ctx(context).socket(type)
        if type == _C.STREAM:
            sock.setsockopt(_C.STREAM_NOTIFY, 0)
        return sock
    except Exception as e:
        _fail(e)
        return None


def zmq_close(s: Any) -> int:
    """``int zmq_close(void *s)``: returns at once; outbound data lingers per ZMQ_LINGER."""
    try:
        _sock(s).close()
        return 0
    except Exception as e:
        return _fail(e)


def zmq_setsockopt(s: Any, option: int, optval: Any, optvallen: Optional[int] = None) -> int:
    """``int zmq_setsockopt(void *s, int option, const void *optval, size_t optvallen)``.

    ``optval``: int for integer options (or its native bytes), bytes/str for binary and string
    options, None for C's NULL. ``optvallen`` may be omitted (derived from optval)."""
    try:
        _sock(s).setsockopt(option, optval, optvallen)
        return 0
    except BaseException as e:  # noqa: B036
        return _fail(e)


def zmq_getsockopt(s: Any, option: int, optvallen: Optional[int] = None) -> Any:
    """``int zmq_getsockopt(void *s, int option, void *optval, size_t *optvallen)`` -> value
    (int, or bytes without the C NUL). ``optvallen`` is the C buffer size when given."""
    try:
        return _sock(s).getsockopt(option, optvallen)
    except BaseException as e:  # noqa: B036
        return _fail(e)


def zmq_bind(s: Any, addr: Any) -> int:
    """``int zmq_bind(void *s, const char *addr)``."""
    try:
        _sock(s).bind(_endpoint(addr))
        return 0
    except Exception as e:
        return _fail(e)


def zmq_connect(s: Any, addr: Any) -> int:
    """``int zmq_connect(void *s, const char *addr)``."""
    try:
        _sock(s).connect(_endpoint(addr))
        return 0
    except Exception as e:
        return _fail(e)


def zmq_unbind(s: Any, addr: Any) -> int:
    """``int zmq_unbind(void *s, const char *addr)``."""
    try:
        _sock(s).unbind(_endpoint(addr))
        return 0
    except Exception as e:
        return _fail(e)


def zmq_disconnect(s: Any, addr: Any) -> int:
    """``int zmq_disconnect(void *s, const char *addr)``."""
    try:
        _sock(s).disconnect(_endpoint(addr))
        return 0
    except Exception as e:
        return _fail(e)


def zmq_socket_monitor(s: Any, addr: Any, events: int) -> int:
    """``int zmq_socket_monitor(void *s, const char *addr, int events)``; addr None stops."""
    try:
        _sock(s).monitor(None if addr is None else _endpoint(addr), events)
        return 0
    except Exception as e:
        return _fail(e)


# ---------------------------------------------------------------------------- 1.5 send/recv

def zmq_send(s: Any, buf: Any, len: int, flags: int) -> int:  # noqa: A002 - C name
    """``int zmq_send(void *s, const void *buf, size_t len, int flags)``: copies len bytes."""
    try:
        sock = _sock(s)
        if type(buf) is bytes and len == _payload_size(buf):
            data = buf  # immutable: sharing it is a copy nobody can tell apart
        else:
            data = _payload(buf, len).tobytes()
        _send(sock, _frame(data), flags)
        return len
    except BaseException as e:  # noqa: B036
        return _fail(e)


def zmq_send_const(s: Any, buf: Any, len: int, flags: int) -> int:  # noqa: A002
    """``int zmq_send_const(void *s, const void *buf, size_t len, int flags)``: references the
    buffer without copying; the caller keeps it alive and unchanged."""
    try:
        sock = _sock(s)
        data: Any
        if type(buf) is bytes and len == _payload_size(buf):
            data = buf
        else:
            data = _payload(buf, len)
        _send(sock, _frame(data), flags)
        return len
    except BaseException as e:  # noqa: B036
        return _fail(e)


def zmq_recv(s: Any, buf: Any, len: int, flags: int) -> int:  # noqa: A002 - C name
    """``int zmq_recv(void *s, void *buf, size_t len, int flags)``: copies at most len bytes
    into the writable ``buf``, returns the full frame size (truncation as in C)."""
    try:
        sock = _sock(s)
        if buf is None and len:
            raise ZMQError(_C.EFAULT, "NULL buffer with non-zero length")
        target = memoryview(buf).cast("B") if buf is not None else memoryview(bytearray(0))
        if target.readonly:
            raise ZMQError(_C.EFAULT, "receive buffer is read-only")
        if len < 0 or len > target.nbytes:
            raise ZMQError(_C.EINVAL, f"length {len} exceeds buffer of {target.nbytes} bytes")
        frame = _recv(sock, flags)
        size = frame.size
        n = size if size < len else len
        if n:
            target[:n] = memoryview(frame.data).cast("B")[:n]
        return size
    except BaseException as e:  # noqa: B036
        return _fail(e)


def zmq_sendmsg(s: Any, msg: Any, flags: int) -> int:
    """``int zmq_sendmsg(void *s, zmq_msg_t *msg, int flags)`` (deprecated)."""
    return zmq_msg_send(msg, s, flags)


def zmq_recvmsg(s: Any, msg: Any, flags: int) -> int:
    """``int zmq_recvmsg(void *s, zmq_msg_t *msg, int flags)`` (deprecated)."""
    return zmq_msg_recv(msg, s, flags)


def zmq_sendiov(s: Any, iov: Any, count: int, flags: int) -> int:
    """``int zmq_sendiov(void *s, struct iovec *iov, size_t count, int flags)``: ``iov`` is a
    sequence of bytes-like. Each becomes a copied frame; SNDMORE joins them only when the
    caller passed ZMQ_SNDMORE (4.0 quirk). Returns the size of the last frame sent."""
    try:
        sock = _sock(s)
        if count < 0 or count > len(iov):
            raise ZMQError(_C.EINVAL, f"count {count} exceeds the {len(iov)} iovecs given")
        last = 0
        for i in range(count):
            view = _payload(iov[i], memoryview(iov[i]).nbytes)
            f = flags
            if i == count - 1:
                f &= ~_C.SNDMORE
            sock.send(_Msg(view.tobytes()), f)
            last = view.nbytes
        return last
    except BaseException as e:  # noqa: B036
        return _fail(e)


def zmq_recviov(s: Any, count: int, flags: int) -> Any:
    """``int zmq_recviov(void *s, struct iovec *iov, size_t *count, int flags)`` ->
    list of bytes (up to ``count`` frames of one message; frames beyond stay unread),
    or -1. The C ``*count`` output is the list's length."""
    try:
        sock = _sock(s)
        if count < 0:
            raise ZMQError(_C.EINVAL, f"invalid count {count}")
        parts: list[bytes] = []
        while len(parts) < count:
            frame = sock.recv(flags)
            parts.append(frame.bytes())
            if not frame.flags & _MORE:
                break
        return parts
    except BaseException as e:  # noqa: B036
        return _fail(e)


# ---------------------------------------------------------------------------- 1.6 polling

class zmq_pollitem_t:  # noqa: N801 - the C type's name
    """``{void *socket; int fd; short events; short revents;}``; ``revents`` is written by
    zmq_poll. When ``socket`` is set, ``fd`` is ignored."""

    __slots__ = ("socket", "fd", "events", "revents")

    def __init__(self, socket: Any = None, fd: int = -1, events: int = 0, revents: int = 0):
        self.socket = socket
        self.fd = fd
        self.events = events
        self.revents = revents

    def __repr__(self) -> str:
        return (f"zmq_pollitem_t(socket={self.socket!r}, fd={self.fd}, events={self.events}, "
                f"revents={self.revents})")


def zmq_poll(items: Any, nitems: int, timeout: int) -> int:
    """``int zmq_poll(zmq_pollitem_t *items, int nitems, long timeout)``: level-triggered over
    zmq sockets and raw fds; timeout in ms (-1 forever); returns the count of ready items."""
    try:
        if nitems < 0:
            raise ZMQError(_C.EINVAL, f"negative nitems {nitems}")
        if nitems and items is None:
            raise ZMQError(_C.EFAULT, "NULL items with nitems > 0")
        if nitems > len(items):
            raise ZMQError(_C.EINVAL, f"nitems {nitems} exceeds the {len(items)} items given")
        entries: list[tuple[Any, int]] = []
        for i in range(nitems):
            it = items[i]
            if not isinstance(it, zmq_pollitem_t):
                raise ZMQError(_C.EFAULT, f"item {i} is not a zmq_pollitem_t")
            if it.socket is not None:
                entries.append((_sock(it.socket), it.events))
            else:
                entries.append((int(it.fd), it.events))
        revents = _poll.poll(entries, timeout)
        n = 0
        for i in range(nitems):
            items[i].revents = revents[i]
            if revents[i]:
                n += 1
        return n
    except BaseException as e:  # noqa: B036
        return _fail(e)


# ---------------------------------------------------------------------------- 1.7 proxy/device

def zmq_proxy(frontend: Any, backend: Any, capture: Any = None) -> int:
    """``int zmq_proxy(void *frontend, void *backend, void *capture)``: returns only on error
    (-1, normally ETERM)."""
    return zmq_proxy_steerable(frontend, backend, capture, None)


def zmq_proxy_steerable(frontend: Any, backend: Any, capture: Any = None,
                        control: Any = None) -> int:
    """``int zmq_proxy_steerable(void *frontend, void *backend, void *capture,
    void *control)``: PAUSE/RESUME/TERMINATE on control; TERMINATE returns 0."""
    try:
        if frontend is None or backend is None:
            raise ZMQError(_C.EFAULT, "frontend and backend sockets are required")
        return _proxy.proxy(_sock(frontend), _sock(backend),
                            None if capture is None else _sock(capture),
                            None if control is None else _sock(control))
    except BaseException as e:  # noqa: B036
        return _fail(e)


def zmq_device(type: int, frontend: Any, backend: Any) -> int:  # noqa: A002 - C name
    """``int zmq_device(int type, void *frontend, void *backend)`` (deprecated; type ignored)."""
    return zmq_proxy(frontend, backend, None)


# ---------------------------------------------------------------------------- 1.9 z85, keys

def zmq_z85_encode(data: Any, size: int) -> Optional[str]:
    """``char *zmq_z85_encode(char *dest, uint8_t *data, size_t size)`` -> str, or None +
    EINVAL (size not a multiple of 4, bad data)."""
    try:
        return z85.encode(_payload(data, size)).decode("ascii")
    except Exception as e:
        _fail(e)
        return None


def zmq_z85_decode(string: Any) -> Optional[bytes]:
    """``uint8_t *zmq_z85_decode(uint8_t *dest, char *string)`` -> bytes, or None + EINVAL
    (length not a multiple of 5, character outside the alphabet, group overflow)."""
    try:
        if isinstance(string, (bytes, bytearray, memoryview)):
            string = bytes(string).split(b"\0", 1)[0]
        elif isinstance(string, str):
            string = string.split("\0", 1)[0]
        return z85.decode(string)
    except Exception as e:
        _fail(e)
        return None


def zmq_curve_keypair() -> Any:
    """``int zmq_curve_keypair(char *z85_public_key, char *z85_secret_key)`` ->
    (public_z85, secret_z85) as str, or -1."""
    try:
        pk, sk = _sodium.keypair()
        return z85.encode(pk).decode("ascii"), z85.encode(sk).decode("ascii")
    except Exception as e:
        return _fail(e)


# ---------------------------------------------------------------------------- 1.10 utils

class _Stopwatch:
    __slots__ = ("start",)

    def __init__(self) -> None:
        self.start = _time.monotonic_ns()


def zmq_stopwatch_start() -> _Stopwatch:
    """``void *zmq_stopwatch_start(void)``."""
    return _Stopwatch()


def zmq_stopwatch_stop(watch: Any) -> int:
    """``unsigned long zmq_stopwatch_stop(void *watch)``: microseconds elapsed."""
    if not isinstance(watch, _Stopwatch):
        _set_errno(_C.EFAULT)
        return 0
    return (_time.monotonic_ns() - watch.start) // 1000


def zmq_sleep(seconds: int) -> None:
    """``void zmq_sleep(int seconds)``; a non-number or a negative value sets EINVAL."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
            or not seconds >= 0:
        _set_errno(_C.EINVAL)
        return None
    _time.sleep(seconds)
    return None


def zmq_threadstart(func: Callable[[Any], Any], arg: Any) -> Optional[threading.Thread]:
    """``void *zmq_threadstart(zmq_thread_fn *func, void *arg)``: starts an OS thread;
    None + EINVAL when ``func`` is not callable."""
    if not callable(func):
        _set_errno(_C.EINVAL)
        return None
    t = threading.Thread(target=func, args=(arg,), daemon=True, name="zmq_threadstart")
    t.start()
    return t


def zmq_threadclose(thread: Any) -> None:
    """``void zmq_threadclose(void *thread)``: joins the thread."""
    if isinstance(thread, threading.Thread):
        thread.join()
    else:
        _set_errno(_C.EFAULT)
