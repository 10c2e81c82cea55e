"""ctypes consumers: Python programs that load the shim with ``ctypes.CDLL`` as their
libzmq (host mode: the shim joins this interpreter). Exchanges, the zmq_msg_t API with a
ctypes free function, Python and C threads calling at once, errno, bad input without leaks,
and (tcp) a full exchange against a pyzmq peer, i.e. real libzmq.
"""

from __future__ import annotations

import ctypes
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import abi_support
import pytest

import zmq4
from zmq4 import zmq_h as C

vp, ci, sz, cp = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t, ctypes.c_char_p


class zmq_msg_t(ctypes.Structure):  # noqa: N801 - the C name
    _fields_ = [("_", ctypes.c_ubyte * 32)]


FREE_FN = ctypes.CFUNCTYPE(None, vp, vp)

SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "zmq_ctx_new": (vp, []),
    "zmq_ctx_term": (ci, [vp]),
    "zmq_ctx_shutdown": (ci, [vp]),
    "zmq_socket": (vp, [vp, ci]),
    "zmq_close": (ci, [vp]),
    "zmq_bind": (ci, [vp, cp]),
    "zmq_connect": (ci, [vp, cp]),
    "zmq_send": (ci, [vp, cp, sz, ci]),
    "zmq_recv": (ci, [vp, ctypes.c_void_p, sz, ci]),
    "zmq_setsockopt": (ci, [vp, ci, vp, sz]),
    "zmq_getsockopt": (ci, [vp, ci, vp, ctypes.POINTER(sz)]),
    "zmq_errno": (ci, []),
    "zmq_strerror": (cp, [ci]),
    "zmq_msg_init": (ci, [ctypes.POINTER(zmq_msg_t)]),
    "zmq_msg_init_size": (ci, [ctypes.POINTER(zmq_msg_t), sz]),
    "zmq_msg_init_data": (ci, [ctypes.POINTER(zmq_msg_t), vp, sz, FREE_FN, vp]),
    "zmq_msg_send": (ci, [ctypes.POINTER(zmq_msg_t), vp, ci]),
    "zmq_msg_recv": (ci, [ctypes.POINTER(zmq_msg_t), vp, ci]),
    "zmq_msg_close": (ci, [ctypes.POINTER(zmq_msg_t)]),
    "zmq_msg_data": (vp, [ctypes.POINTER(zmq_msg_t)]),
    "zmq_msg_size": (sz, [ctypes.POINTER(zmq_msg_t)]),
    "zmq_msg_more": (ci, [ctypes.POINTER(zmq_msg_t)]),
}


def load(cls: Callable[..., Any] = ctypes.CDLL) -> Any:
    lib = cls(zmq4.get_library(), use_errno=True)
    for name, (res, args) in SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    return lib


@pytest.fixture(scope="module")
def lib() -> Any:
    return load()


def set_int(lib: Any, s: int, option: int, value: int) -> None:
    v = ctypes.c_int(value)
    assert lib.zmq_setsockopt(s, option, ctypes.byref(v), 4) == 0


def recv(lib: Any, s: int, size: int = 256, flags: int = 0) -> bytes:
    buf = ctypes.create_string_buffer(size)
    n = lib.zmq_recv(s, buf, size, flags)
    assert n >= 0, lib.zmq_strerror(lib.zmq_errno())
    return buf.raw[:min(n, size)]


def test_mode_is_host(lib: Any) -> None:
    ctx = lib.zmq_ctx_new()
    assert ctx
    assert lib.zmq_ctx_term(ctx) == 0
    import zmq4._cabi as cabi

    assert cabi.mode() == 1  # joined this interpreter; never started a second one
    assert cabi.CABI_VERSION == 2  # 2: handle records carry the batching state


def test_reqrep_exchange(lib: Any) -> None:
    ctx = lib.zmq_ctx_new()
    rep, req = lib.zmq_socket(ctx, C.REP), lib.zmq_socket(ctx, C.REQ)
    assert lib.zmq_bind(rep, b"inproc://ctypes-reqrep") == 0
    assert lib.zmq_connect(req, b"inproc://ctypes-reqrep") == 0
    for i in range(50):
        body = b"request %d" % i
        assert lib.zmq_send(req, body, len(body), 0) == len(body)
        assert recv(lib, rep) == body
        assert lib.zmq_send(rep, b"reply", 5, 0) == 5
        assert recv(lib, req) == b"reply"
    # errno: C's errno and zmq_errno() agree, and ctypes sees it
    assert lib.zmq_send(req, b"x", 1, C.DONTWAIT) == 5 - 4  # REQ may send now
    assert lib.zmq_send(req, b"x", 1, C.DONTWAIT) == -1
    assert lib.zmq_errno() == C.EFSM == ctypes.get_errno()
    assert lib.zmq_strerror(C.EFSM) == b"Operation cannot be accomplished in current state"
    assert lib.zmq_close(req) == 0 and lib.zmq_close(rep) == 0
    assert lib.zmq_close(rep) == -1 and lib.zmq_errno() == C.ENOTSOCK
    assert lib.zmq_ctx_term(ctx) == 0


def test_msg_api_and_free_function(lib: Any) -> None:
    """zmq_msg_init_data's free function (a ctypes callback) runs exactly once, after the
    receiver dropped the frame; zmq_msg_data points at the caller's buffer."""
    calls: list[tuple[int, int]] = []

    @FREE_FN
    def free_fn(data: int, hint: int) -> None:
        calls.append((data, hint))

    ctx = lib.zmq_ctx_new()
    push, pull = lib.zmq_socket(ctx, C.PUSH), lib.zmq_socket(ctx, C.PULL)
    assert lib.zmq_bind(pull, b"inproc://ctypes-msg") == 0
    assert lib.zmq_connect(push, b"inproc://ctypes-msg") == 0
    payload = ctypes.create_string_buffer(b"zero-copy payload", 17)
    msg = zmq_msg_t()
    assert lib.zmq_msg_init_data(ctypes.byref(msg), payload, 17, free_fn, 0x77) == 0
    assert lib.zmq_msg_data(ctypes.byref(msg)) == ctypes.addressof(payload)
    assert lib.zmq_msg_send(ctypes.byref(msg), push, C.SNDMORE) == 17
    assert lib.zmq_msg_close(ctypes.byref(msg)) == 0
    assert lib.zmq_send(push, b"tail", 4, 0) == 4
    assert calls == []
    got = zmq_msg_t()
    assert lib.zmq_msg_init(ctypes.byref(got)) == 0
    assert lib.zmq_msg_recv(ctypes.byref(got), pull, 0) == 17
    assert lib.zmq_msg_more(ctypes.byref(got)) == 1
    data = lib.zmq_msg_data(ctypes.byref(got))
    assert ctypes.string_at(data, lib.zmq_msg_size(ctypes.byref(got))) == b"zero-copy payload"
    assert lib.zmq_msg_recv(ctypes.byref(got), pull, 0) == 4  # drops the first frame
    assert calls == [(ctypes.addressof(payload), 0x77)]
    assert lib.zmq_msg_more(ctypes.byref(got)) == 0
    assert lib.zmq_msg_close(ctypes.byref(got)) == 0
    assert lib.zmq_msg_close(ctypes.byref(got)) == -1 and lib.zmq_errno() == C.EFAULT
    assert calls == [(ctypes.addressof(payload), 0x77)]
    assert lib.zmq_close(push) == 0 and lib.zmq_close(pull) == 0
    assert lib.zmq_ctx_term(ctx) == 0


@pytest.mark.parametrize("payload", [b"Z", b"shared payload"])
def test_writing_received_data_changes_only_that_message(lib: Any, payload: bytes) -> None:
    """zmq_msg_data's pointer is writable, as in C; writing through it changes that
    message and nothing else. A received payload can be an immutable Python object shared
    with others (CPython keeps one bytes object per 1-byte value; an inproc sender may
    still hold what it sent), so the message gets a private copy on first access."""
    ctx = lib.zmq_ctx_new()
    push, pull = lib.zmq_socket(ctx, C.PUSH), lib.zmq_socket(ctx, C.PULL)
    assert lib.zmq_bind(pull, b"inproc://ctypes-write") == 0
    assert lib.zmq_connect(push, b"inproc://ctypes-write") == 0
    assert lib.zmq_send(push, payload, len(payload), 0) == len(payload)
    got = zmq_msg_t()
    assert lib.zmq_msg_init(ctypes.byref(got)) == 0
    assert lib.zmq_msg_recv(ctypes.byref(got), pull, 0) == len(payload)
    data = lib.zmq_msg_data(ctypes.byref(got))
    ctypes.memset(data, ord("#"), len(payload))
    assert lib.zmq_msg_data(ctypes.byref(got)) == data  # stable until close
    assert ctypes.string_at(data, len(payload)) == b"#" * len(payload)
    assert bytes([payload[0]]) == payload[:1]  # CPython's shared 1-byte object is intact
    assert payload in (b"Z", b"shared payload")
    assert lib.zmq_msg_close(ctypes.byref(got)) == 0
    assert lib.zmq_close(push) == 0 and lib.zmq_close(pull) == 0
    assert lib.zmq_ctx_term(ctx) == 0


def test_bad_input_leaks_nothing(lib: Any) -> None:
    """Failed calls leave no handle behind; closed things are gone."""
    import zmq4._cabi as cabi

    base = cabi.live_counts()
    ctx = lib.zmq_ctx_new()
    for _ in range(100):
        assert lib.zmq_socket(ctx, 99) is None and lib.zmq_errno() == C.EINVAL
        assert lib.zmq_socket(0x1234, C.PAIR) is None and lib.zmq_errno() == C.EFAULT
        assert lib.zmq_send(0x5678, b"x", 1, 0) == -1 and lib.zmq_errno() == C.ENOTSOCK
        msg = zmq_msg_t()
        assert lib.zmq_msg_init_size(ctypes.byref(msg), 1 << 62) == -1
        assert lib.zmq_errno() == C.ENOMEM
        assert lib.zmq_msg_close(ctypes.byref(msg)) == -1 and lib.zmq_errno() == C.EFAULT
        s = lib.zmq_socket(ctx, C.PAIR)
        assert lib.zmq_bind(s, b"bogus://x") == -1
        assert lib.zmq_errno() == C.EPROTONOSUPPORT
        assert lib.zmq_msg_init(ctypes.byref(msg)) == 0
        assert lib.zmq_msg_recv(ctypes.byref(msg), s, C.DONTWAIT) == -1
        assert lib.zmq_errno() == C.EAGAIN
        assert lib.zmq_msg_close(ctypes.byref(msg)) == 0
        assert lib.zmq_close(s) == 0
    assert lib.zmq_ctx_term(ctx) == 0
    assert cabi.live_counts() == base


def test_handles_point_at_tagged_memory(lib: Any) -> None:
    """Handles are real pointers (issue #19): ctypes code can read libzmq's tag word at
    offset 0 (a context 0xabadcafe, a socket 0xbaddecaf, closed 0xdeadbeef), and the
    handle is still checked on every call."""
    def tag(handle: int) -> int:
        return ctypes.c_uint32.from_address(handle).value

    ctx = lib.zmq_ctx_new()
    s = lib.zmq_socket(ctx, C.PAIR)
    assert tag(ctx) == 0xABADCAFE and tag(s) == 0xBADDECAF
    assert lib.zmq_close(s) == 0
    assert tag(s) == 0xDEADBEEF
    assert lib.zmq_close(s) == -1 and lib.zmq_errno() == C.ENOTSOCK
    word = ctypes.c_uint32(0xBADDECAF)  # a copy of the tag is not a socket
    assert lib.zmq_close(ctypes.addressof(word)) == -1 and lib.zmq_errno() == C.ENOTSOCK
    assert lib.zmq_ctx_term(ctx) == 0
    assert tag(ctx) == 0xDEADBEEF
    assert lib.zmq_ctx_term(ctx) == -1 and lib.zmq_errno() == C.EFAULT


def test_python_threads_at_once(lib: Any) -> None:
    """Four Python threads, each with its own sockets, call the shim at the same time
    (ctypes.CDLL releases the GIL around each call; the shim takes it back)."""
    ctx = lib.zmq_ctx_new()
    errors: list[str] = []

    def worker(i: int) -> None:
        a, b = lib.zmq_socket(ctx, C.PAIR), lib.zmq_socket(ctx, C.PAIR)
        ep = b"inproc://pythread-%d" % i
        assert lib.zmq_bind(a, ep) == 0 and lib.zmq_connect(b, ep) == 0
        buf = ctypes.create_string_buffer(16)
        for k in range(300):
            body = b"%d-%d" % (i, k)
            if lib.zmq_send(a, body, len(body), 0) != len(body):
                errors.append("send")
            if lib.zmq_recv(b, buf, 16, 0) != len(body) or buf.raw[:len(body)] != body:
                errors.append("recv")
        lib.zmq_close(a)
        lib.zmq_close(b)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert lib.zmq_ctx_term(ctx) == 0


def test_pydll_holding_the_gil() -> None:
    """ctypes.PyDLL keeps the GIL during the call: the shim's GIL take is re-entrant."""
    lib = load(ctypes.PyDLL)
    ctx = lib.zmq_ctx_new()
    a, b = lib.zmq_socket(ctx, C.PAIR), lib.zmq_socket(ctx, C.PAIR)
    assert lib.zmq_bind(a, b"inproc://pydll") == 0 and lib.zmq_connect(b, b"inproc://pydll") == 0
    assert lib.zmq_send(a, b"held", 4, 0) == 4
    assert recv(lib, b) == b"held"
    assert lib.zmq_close(a) == 0 and lib.zmq_close(b) == 0
    assert lib.zmq_ctx_term(ctx) == 0


def test_c_threads_in_host_mode(lib: Any, tmp_path: Path) -> None:
    """Foreign C threads (no Python thread state) call the shim inside this interpreter."""
    helper = ctypes.CDLL(str(abi_support.build(abi_support.CSRC / "host_threads.c", tmp_path,
                                               shared=True)))
    helper.run_threads.restype = ci
    helper.run_threads.argtypes = [vp, ci, ci]
    ctx = lib.zmq_ctx_new()
    assert helper.run_threads(ctx, 4, 250) == 4 * 250
    assert helper.run_threads(ctx, 8, 50) == 8 * 50  # new threads, new thread states
    assert lib.zmq_ctx_term(ctx) == 0


def test_blocked_call_interrupted_by_shutdown(lib: Any) -> None:
    ctx = lib.zmq_ctx_new()
    s = lib.zmq_socket(ctx, C.PULL)
    assert lib.zmq_bind(s, b"inproc://blocked-ctypes") == 0
    result: list[tuple[int, int]] = []

    def blocked() -> None:
        buf = ctypes.create_string_buffer(8)
        rc = lib.zmq_recv(s, buf, 8, 0)
        result.append((rc, lib.zmq_errno()))
        lib.zmq_close(s)

    t = threading.Thread(target=blocked)
    t.start()
    t.join(0.3)
    assert t.is_alive()
    assert lib.zmq_ctx_shutdown(ctx) == 0
    t.join(10)
    assert result == [(-1, C.ETERM)]
    assert lib.zmq_ctx_term(ctx) == 0


EXIT_SCRIPT = """
import ctypes, sys, time, threading, zmq4
lib = ctypes.CDLL(zmq4.get_library())
helper = ctypes.CDLL(sys.argv[1])
assert helper.start_spinners(3) == 0
lib.zmq_ctx_new.restype = ctypes.c_void_p
lib.zmq_socket.restype = ctypes.c_void_p
lib.zmq_socket.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.zmq_recv.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
lib.zmq_bind.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
ctx = lib.zmq_ctx_new()
s = lib.zmq_socket(ctx, 7)
lib.zmq_bind(s, b"inproc://forever")
buf = ctypes.create_string_buffer(8)
# a daemon Python thread blocked in the shim forever
threading.Thread(target=lib.zmq_recv, args=(s, buf, 8, 0), daemon=True).start()
time.sleep(0.05)
print("done", flush=True)
"""


def test_host_exit_while_threads_call(tmp_path: Path) -> None:
    """The host interpreter exits while 3 C threads and a daemon Python thread are inside
    the shim: every run exits 0 with its output, never a crash (the bridge's atexit hook
    shuts the C contexts down and drains the calls in flight)."""
    helper = abi_support.build(abi_support.CSRC / "host_threads.c", tmp_path, shared=True)
    script = tmp_path / "exit.py"
    script.write_text(EXIT_SCRIPT)
    for _ in range(15):
        r = subprocess.run([sys.executable, str(script), str(helper)], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0 and r.stdout == "done\n", (r.returncode, r.stdout, r.stderr)


def test_reqrep_tcp(lib: Any) -> None:
    ctx = lib.zmq_ctx_new()
    rep, req = lib.zmq_socket(ctx, C.REP), lib.zmq_socket(ctx, C.REQ)
    assert lib.zmq_bind(rep, b"tcp://127.0.0.1:*") == 0
    ep = ctypes.create_string_buffer(256)
    size = sz(256)
    assert lib.zmq_getsockopt(rep, C.LAST_ENDPOINT, ep, ctypes.byref(size)) == 0
    assert ep.value.startswith(b"tcp://127.0.0.1:") and size.value == len(ep.value) + 1
    assert lib.zmq_connect(req, ep.value) == 0
    for s in (rep, req):
        set_int(lib, s, C.RCVTIMEO, 5000)
    for i in range(20):
        body = b"ping %d" % i
        assert lib.zmq_send(req, body, len(body), 0) == len(body)
        assert recv(lib, rep) == body
        assert lib.zmq_send(rep, b"pong", 4, 0) == 4
        assert recv(lib, req) == b"pong"
    for s in (rep, req):
        set_int(lib, s, C.LINGER, 0)
        assert lib.zmq_close(s) == 0
    assert lib.zmq_ctx_term(ctx) == 0


@pytest.mark.interop
@pytest.mark.parametrize("shim_binds", [True, False], ids=["shim-binds", "pyzmq-binds"])
def test_pyzmq_peer_over_tcp(lib: Any, shim_binds: bool) -> None:
    """A ctypes consumer of the shim (REQ) against pyzmq's real libzmq (REP), over tcp,
    with multipart messages, both directions of bind/connect."""
    import zmq
    zctx = zmq.Context()
    rep = zctx.socket(zmq.REP)
    rep.linger = 0
    rep.rcvtimeo = 5000
    ctx = lib.zmq_ctx_new()
    req = lib.zmq_socket(ctx, C.REQ)
    set_int(lib, req, C.LINGER, 0)
    set_int(lib, req, C.RCVTIMEO, 5000)
    try:
        if shim_binds:
            assert lib.zmq_bind(req, b"tcp://127.0.0.1:*") == 0
            ep = ctypes.create_string_buffer(256)
            size = sz(256)
            assert lib.zmq_getsockopt(req, C.LAST_ENDPOINT, ep, ctypes.byref(size)) == 0
            rep.connect(ep.value.decode())
        else:
            port = rep.bind_to_random_port("tcp://127.0.0.1")
            assert lib.zmq_connect(req, b"tcp://127.0.0.1:%d" % port) == 0
        for i in range(10):
            assert lib.zmq_send(req, b"hello", 5, C.SNDMORE) == 5
            assert lib.zmq_send(req, b"%d" % i, len(str(i)), 0) == len(str(i))
            assert rep.recv_multipart() == [b"hello", b"%d" % i]
            rep.send_multipart([b"world", b"%d" % i])
            assert recv(lib, req) == b"world"
            assert recv(lib, req) == b"%d" % i
    finally:
        assert lib.zmq_close(req) == 0
        assert lib.zmq_ctx_term(ctx) == 0
        rep.close()
        zctx.term()


def test_cffi_abi_mode() -> None:
    """cffi in ABI mode (dlopen) reads zmq.h's declarations and drives an exchange."""
    import cffi
    ffi = cffi.FFI()
    ffi.cdef(textwrap.dedent("""\
        void *zmq_ctx_new (void);
        int zmq_ctx_term (void *context);
        void *zmq_socket (void *, int type);
        int zmq_close (void *s);
        int zmq_bind (void *s, const char *addr);
        int zmq_connect (void *s, const char *addr);
        int zmq_send (void *s, const void *buf, size_t len, int flags);
        int zmq_recv (void *s, void *buf, size_t len, int flags);
        int zmq_errno (void);
    """))
    z = ffi.dlopen(zmq4.get_library())
    ctx = z.zmq_ctx_new()
    a, b = z.zmq_socket(ctx, C.PAIR), z.zmq_socket(ctx, C.PAIR)
    assert z.zmq_bind(a, b"inproc://cffi") == 0 and z.zmq_connect(b, b"inproc://cffi") == 0
    assert z.zmq_send(a, b"cffi", 4, 0) == 4
    buf = ffi.new("char[16]")
    assert z.zmq_recv(b, buf, 16, 0) == 4 and ffi.string(buf) == b"cffi"
    assert z.zmq_close(a) == 0 and z.zmq_close(b) == 0
    assert z.zmq_ctx_term(ctx) == 0


FORK_SCRIPT = """
import ctypes, os, sys, threading, zmq4
lib = ctypes.CDLL(zmq4.get_library())
vp = ctypes.c_void_p
lib.zmq_ctx_new.restype = vp
lib.zmq_socket.restype, lib.zmq_socket.argtypes = vp, [vp, ctypes.c_int]
lib.zmq_bind.argtypes = lib.zmq_connect.argtypes = [vp, ctypes.c_char_p]
lib.zmq_send.argtypes = lib.zmq_recv.argtypes = [vp, vp, ctypes.c_size_t, ctypes.c_int]
lib.zmq_close.argtypes = lib.zmq_ctx_term.argtypes = [vp]

def pair(ctx, name):
    a, b = lib.zmq_socket(ctx, 0), lib.zmq_socket(ctx, 0)
    assert lib.zmq_bind(a, name) == 0 and lib.zmq_connect(b, name) == 0
    return a, b

ctx = lib.zmq_ctx_new()
a, b = pair(ctx, b"inproc://parent")
stop = False
def busy():
    buf = ctypes.create_string_buffer(8)
    while not stop:
        lib.zmq_send(a, b"busy", 4, 0)
        lib.zmq_recv(b, buf, 8, 0)
t = threading.Thread(target=busy)
t.start()
for i in range(5):
    pid = os.fork()
    if pid == 0:
        c2 = lib.zmq_ctx_new()
        x, y = pair(c2, b"inproc://child")
        buf = ctypes.create_string_buffer(8)
        ok = lib.zmq_send(x, b"child", 5, 0) == 5 and lib.zmq_recv(y, buf, 8, 0) == 5
        lib.zmq_close(x); lib.zmq_close(y); lib.zmq_ctx_term(c2)
        sys.exit(0 if ok else 3)
    _, status = os.waitpid(pid, 0)
    assert status == 0, status
stop = True
t.join()
lib.zmq_close(a); lib.zmq_close(b)
assert lib.zmq_ctx_term(ctx) == 0
print("done", flush=True)
"""


def test_host_fork(tmp_path: Path) -> None:
    """os.fork() in a Python program using the shim while another thread calls it: each
    child runs its own context and exits at once (no call left counted in flight)."""
    import os

    script = tmp_path / "fork.py"
    script.write_text(FORK_SCRIPT)
    env = dict(os.environ, ZMQ4_DEBUG="1")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 0 and r.stdout == "done\n", (r.stdout, r.stderr)
    exits = [line for line in r.stderr.splitlines() if "host interpreter exiting" in line]
    assert len(exits) == 6  # five children and the parent
    assert all(": 0 call(s) still in flight" in line for line in exits), exits
