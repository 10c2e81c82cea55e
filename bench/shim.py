"""Per-call overhead of the C-ABI shim.

The same loops, three ways, on inproc PUSH/PULL in one process:
  C      a C program (bench/shim_loop.c) linked to the shim: embedded mode, the shim
         starts Python itself; every call takes the GIL, forwards through the bridge into
         zmq4.capi and releases it
  ctypes the same calls from Python through ctypes.CDLL on the shim (host mode)
  capi   the same loop written in Python against zmq4.capi directly (no shim)
and, for reference, pyzmq (real libzmq) where it is installed.

Loops: sendrecv = zmq_send + zmq_recv of SIZE bytes; msg = zmq_msg_init_size/data/send +
zmq_msg_init/recv/data/size/close; ctx_get = one zmq_ctx_get (the bare cost of a call).
Reported: ns per iteration, the best over --rounds rounds that interleave all the ways (so a
load change on a shared machine hits them alike), and the ratio C / capi (< 1: the C loop
through the shim is faster than the same loop in Python).

    python bench/shim.py [-n 50000] [--size 10] [--rounds 5]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import time

import zmq4
from zmq4 import capi

HERE = os.path.dirname(os.path.abspath(__file__))


def build_c(outdir: str) -> str:
    exe = os.path.join(outdir, "shim_loop")
    libdir = os.path.dirname(zmq4.get_library())
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-O2", "-Wall", f"-I{zmq4.get_include()}",
                    os.path.join(HERE, "shim_loop.c"), "-o", exe, f"-L{libdir}",
                    "-l:libzmq.so.5", f"-Wl,-rpath,{libdir}"], check=True)
    return exe


def run_c(exe: str, mode: str, n: int, size: int) -> float:
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run([exe, mode, str(n), str(size)], capture_output=True, text=True,
                         env=env, check=True).stdout
    return float(out)


def best_of(fn, n: int) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn(n)
        best = min(best, (time.perf_counter() - t0) / n * 1e9)
    return best


def capi_loops(size: int):
    ctx = capi.zmq_ctx_new()
    push, pull = capi.zmq_socket(ctx, capi.ZMQ_PUSH), capi.zmq_socket(ctx, capi.ZMQ_PULL)
    for s, o in ((push, capi.ZMQ_SNDHWM), (pull, capi.ZMQ_RCVHWM)):
        capi.zmq_setsockopt(s, o, 0)
    capi.zmq_bind(pull, "inproc://bench-capi")
    capi.zmq_connect(push, "inproc://bench-capi")
    data, buf = b"x" * size, bytearray(size)
    send, recv = capi.zmq_send, capi.zmq_recv

    def sendrecv(n: int) -> None:
        for _ in range(n):
            send(push, data, size, 0)
            recv(pull, buf, size, 0)

    def msg(n: int) -> None:
        m = capi.zmq_msg_t()
        for _ in range(n):
            capi.zmq_msg_init_size(m, size)
            capi.zmq_msg_data(m)[:] = data
            capi.zmq_msg_send(m, push, 0)
            capi.zmq_msg_init(m)
            capi.zmq_msg_recv(m, pull, 0)
            bytes(capi.zmq_msg_data(m)[:capi.zmq_msg_size(m)])
            capi.zmq_msg_close(m)

    def ctx_get(n: int) -> None:
        get, io = capi.zmq_ctx_get, capi.ZMQ_IO_THREADS
        for _ in range(n):
            get(ctx, io)

    return {"sendrecv": sendrecv, "msg": msg, "ctx_get": ctx_get}


def ctypes_loops(size: int):
    lib = ctypes.CDLL(zmq4.get_library())
    vp, ci, sz = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
    lib.zmq_ctx_new.restype = vp
    lib.zmq_socket.restype, lib.zmq_socket.argtypes = vp, [vp, ci]
    lib.zmq_bind.argtypes = lib.zmq_connect.argtypes = [vp, ctypes.c_char_p]
    lib.zmq_send.argtypes = lib.zmq_recv.argtypes = [vp, vp, sz, ci]
    lib.zmq_ctx_get.argtypes = [vp, ci]
    ctx = lib.zmq_ctx_new()
    push, pull = lib.zmq_socket(ctx, 8), lib.zmq_socket(ctx, 7)
    lib.zmq_bind(pull, b"inproc://bench-ctypes")
    lib.zmq_connect(push, b"inproc://bench-ctypes")
    data = ctypes.create_string_buffer(b"x" * size, size)
    buf = ctypes.create_string_buffer(size)
    send, recv = lib.zmq_send, lib.zmq_recv

    def sendrecv(n: int) -> None:
        for _ in range(n):
            send(push, data, size, 0)
            recv(pull, buf, size, 0)

    def ctx_get(n: int) -> None:
        get = lib.zmq_ctx_get
        for _ in range(n):
            get(ctx, 1)

    return {"sendrecv": sendrecv, "ctx_get": ctx_get}


def pyzmq_loops(size: int):
    try:
        import zmq
    except ImportError:
        return {}
    zctx = zmq.Context()
    push, pull = zctx.socket(zmq.PUSH), zctx.socket(zmq.PULL)
    push.sndhwm = pull.rcvhwm = 0
    pull.bind("inproc://bench-pyzmq")
    push.connect("inproc://bench-pyzmq")
    data = b"x" * size

    def sendrecv(n: int) -> None:
        for _ in range(n):
            push.send(data, copy=True)
            pull.recv(copy=True)

    return {"sendrecv": sendrecv}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=50000, help="iterations per run")
    ap.add_argument("--size", type=int, default=10, help="message size in bytes")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    args = ap.parse_args()
    if not shutil.which(os.environ.get("CC", "cc")):
        print("a C compiler is needed", file=sys.stderr)
        return 1
    results: dict[str, dict[str, float]] = {}

    def keep(mode: str, name: str, ns: float) -> None:
        r = results.setdefault(mode, {})
        r[name] = min(r.get(name, float("inf")), ns)

    faces = (("capi", capi_loops(args.size)), ("ctypes", ctypes_loops(args.size)),
             ("pyzmq", pyzmq_loops(args.size)))
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_c(tmp)
        for _ in range(args.rounds):
            for mode in ("sendrecv", "msg", "ctx_get"):
                keep(mode, "C", run_c(exe, mode, args.n, args.size))
                for name, loops in faces:
                    if mode in loops:
                        keep(mode, name, best_of(loops[mode], args.n))
    print(f"inproc PUSH/PULL, {args.size}-byte messages, {args.n} iterations, best of "
          f"{args.rounds} interleaved rounds (ns per iteration; ratio = C / capi)")
    print(f"{'loop':10} {'C via shim':>12} {'capi (py)':>12} {'ctypes':>12} {'pyzmq':>12}"
          f" {'C/capi':>8}")
    for mode, r in results.items():
        cells = [f"{r[k]:12.0f}" if k in r else f"{'-':>12}"
                 for k in ("C", "capi", "ctypes", "pyzmq")]
        ratio = r["C"] / r["capi"] if "capi" in r else float("nan")
        print(f"{mode:10} {' '.join(cells)} {ratio:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
