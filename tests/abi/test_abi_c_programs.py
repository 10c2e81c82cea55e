"""C programs written against include/zmq.h, compiled with ``cc -Wall -Werror``, linked to the
shim and run as subprocesses with no Python in their environment (embedded mode: the shim
finds and starts the interpreter itself). Each program prints "ok" and exits 0.

Programs taking a transport argument run over inproc and tcp.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import abi_support
import pytest

Build = Callable[..., Path]

#: (program, what it covers) -- run over inproc, and over tcp as a tcp variant
TRANSPORT_PROGRAMS = [
    "reqrep.c",        # REQ/REP bounce, REQ/REP state machine, truncation
    "pushpull_msg.c",  # PUSH/PULL multipart through zmq_msg_*, iov, send_const
    "pubsub.c",        # PUB/SUB filtering, unsubscribe, XPUB subscriptions
    "poll_fd.c",       # zmq_poll over a socket and a pipe fd
    "threads.c",       # several C threads, each with its own sockets
    "fork.c",          # fork while another thread calls in; child makes a new context
    "spec_reqrep.c",   # RFC 28: REQ, REP, DEALER, ROUTER
    "spec_pushpull.c",  # RFC 30: PUSH, PULL
    "monitor.c",       # zmq_socket_monitor
    "batching.c",      # #20: batched runs of send/recv behave as call-by-call ones
]

PLAIN_PROGRAMS = [
    "curve_z85.c",   # zmq_curve_keypair, Z85, CURVE key options
    "shutdown.c",    # blocking calls interrupted by zmq_ctx_shutdown / zmq_ctx_term
    "bad_input.c",   # NULL/stale/foreign handles, sizes, messages: errno, no crash
    "handle_tag.c",  # #19: handles point at libzmq's tag words; still checked
    "utils.c",       # stopwatch, zmq_sleep, zmq_threadstart/close
    "proxy.c",       # zmq_proxy_steerable with capture and TERMINATE
    "inproc_linger0.c",  # #19: inproc messages outlive their writer's LINGER 0 close
    "actor.c",       # #19: a CZMQ-style actor: ZMQ_FD + ZMQ_EVENTS, goodbye with LINGER 0
    "headers40.c",   # #19: 4.0's headers bring <stdio.h>, <string.h>, <stdlib.h>
]

#: programs taking "tcp" or "ipc" (they start I/O objects, which inproc does not)
NETWORK_PROGRAMS = [
    "fd_after_connect.c",  # #19: ZMQ_FD readable after tcp/ipc connect or bind
    "monitor_closed.c",    # #19: EVENT_CLOSED from listeners and connecters
]


@pytest.mark.parametrize("program", TRANSPORT_PROGRAMS)
def test_inproc(c_program: Build, program: str) -> None:
    abi_support.run_ok(c_program(program), "inproc")


@pytest.mark.parametrize("program", TRANSPORT_PROGRAMS)
def test_tcp(c_program: Build, program: str) -> None:
    abi_support.run_ok(c_program(program), "tcp")


@pytest.mark.parametrize("program", PLAIN_PROGRAMS)
def test_program(c_program: Build, program: str) -> None:
    abi_support.run_ok(c_program(program))


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("program", NETWORK_PROGRAMS)
def test_network_program(c_program: Build, program: str, transport: str) -> None:
    abi_support.run_ok(c_program(program), transport)


def test_monitor_stopped(c_program: Build) -> None:
    abi_support.run_ok(c_program("monitor_stopped.c"))


def test_cpp_program(c_program: Build) -> None:
    """A C++ program including zmq.h and zmq_utils.h compiles with -Wall -Werror -pedantic
    and runs."""
    abi_support.run_ok(c_program("cpp_program.cpp"))


def test_no_python_in_the_link(c_program: Build) -> None:
    """The shim has no libpython in DT_NEEDED, so neither does a program linked to it:
    Python is found and loaded at run time."""
    import subprocess

    exe = c_program("reqrep.c")
    deps = subprocess.run(["ldd", str(exe)], capture_output=True, text=True).stdout
    assert "libzmq.so.5 => " + abi_support.shim_path() in deps
    assert "libpython" not in deps


def test_exit_with_threads_still_calling(c_program: Build) -> None:
    """main returns while 3 threads are inside zmq_send/zmq_recv: exit 0, output intact,
    no crash (embedded mode never finalises Python under running threads)."""
    exe = c_program("exit_threads.c")
    for _ in range(10):
        abi_support.run_ok(exe, "3", timeout=60)


def test_exit_flushes_python_output(c_program: Build, tmp_path: Path) -> None:
    """Python's buffered stdout and its atexit hooks are not lost when the C program exits."""
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent("""\
        import atexit, sys
        sys.stdout.write("python-started\\n")
        atexit.register(lambda: sys.stdout.write("python-atexit\\n"))
    """))
    env = dict(abi_support.CLEAN_ENV, PYTHONPATH=str(tmp_path))
    r = abi_support.run(c_program("exit_flush.c"), env=env)
    assert r.returncode == 0, r.stderr
    assert set(r.stdout.split()) == {"ok", "python-started", "python-atexit"}, r.stdout


def test_embedded_trace_and_overrides(c_program: Build) -> None:
    """ZMQ4_DEBUG=1 traces how the interpreter was found; ZMQ4_PYTHON and ZMQ4_LIBPYTHON
    override the search."""
    import sys
    import sysconfig

    exe = c_program("reqrep.c")
    r = abi_support.run_ok(exe, env=dict(abi_support.CLEAN_ENV, ZMQ4_DEBUG="1"))
    assert "started Python" in r.stderr
    libpython = os.path.join(sysconfig.get_config_var("LIBDIR") or "",
                             sysconfig.get_config_var("INSTSONAME") or "")
    env = dict(abi_support.CLEAN_ENV, ZMQ4_DEBUG="1", ZMQ4_PYTHON=sys.executable)
    if os.path.exists(libpython):
        env["ZMQ4_LIBPYTHON"] = libpython
    r = abi_support.run_ok(exe, env=env)
    assert f"$ZMQ4_PYTHON={sys.executable}" in r.stderr
    if os.path.exists(libpython):
        assert f"$ZMQ4_LIBPYTHON={libpython}: loaded" in r.stderr


def test_missing_libpython_fails_cleanly(c_program: Build) -> None:
    """If libpython cannot be loaded, calls fail with -1/ENOSYS and a message; pure-C
    helpers still work; no crash."""
    exe = c_program("reqrep.c")  # zmq_version/zmq_strerror first, then zmq_ctx_new
    env = dict(abi_support.CLEAN_ENV, ZMQ4_LIBPYTHON="/nonexistent/libpython.so")
    r = abi_support.run(exe, env=env, timeout=60)
    assert r.returncode == 1
    assert "cannot load libpython" in r.stderr
    assert "CHECK failed: ctx (errno 38: Function not implemented)" in r.stderr
