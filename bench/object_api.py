"""The pyzmq-shaped object API, zmq4 against pyzmq with the same code.

The same functions run with ``module`` = ``zmq4`` or ``zmq`` (pyzmq): a PUSH thread and a
PULL thread in one process (``sock.send(b)`` / ``sock.recv()``, copy=True, the way most
Python programs use the API), and REQ/REP round trips (one-way latency): both ends as
threads of one process, and for tcp/ipc also with the REP in a process of its own (as a
client and its server usually are; the "2 procs" row). Each figure is the best of REPEAT
runs; the ratio column is zmq4/pyzmq. Last, per transport: asyncio REQ/REP round trips per
second (``zmq4.asyncio`` against ``zmq.asyncio``, both ends on one loop).

    python bench/object_api.py [--transports inproc,tcp,ipc] [--count N] [--repeat R]
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any


def endpoint(transport: str, tag: str) -> str:
    if transport == "inproc":
        return f"inproc://bench-{tag}-{time.monotonic_ns()}"
    if transport == "ipc":
        return f"ipc://{tempfile.gettempdir()}/zmq4-bench-{os.getpid()}-{time.monotonic_ns()}"
    return "tcp://127.0.0.1:*"


def throughput(zmq: Any, transport: str, size: int, count: int) -> float:
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.bind(endpoint(transport, "thr"))
    addr = pull.getsockopt(zmq.LAST_ENDPOINT).decode()
    payload = b"x" * size
    received = threading.Event()

    def sender() -> None:
        push = ctx.socket(zmq.PUSH)
        push.connect(addr)
        send = push.send
        for _ in range(count):
            send(payload)
        # Close only once everything arrived: libzmq 4.3 (pyzmq) can drop the tail of
        # an ipc backlog when the sender closes early despite LINGER -1 (libzmq #4660;
        # seen here as a hang). zmq4 delivers it (tests/api: linger tests).
        received.wait()
        push.close()

    t = threading.Thread(target=sender)
    t.start()
    recv = pull.recv
    recv()
    start = time.perf_counter()
    for _ in range(count - 1):
        recv()
    elapsed = time.perf_counter() - start
    received.set()
    t.join()
    pull.close()
    ctx.term()
    return (count - 1) / elapsed


def latency(zmq: Any, transport: str, size: int, count: int) -> float:
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    rep.bind(endpoint(transport, "lat"))
    addr = rep.getsockopt(zmq.LAST_ENDPOINT).decode()

    def echo() -> None:
        for _ in range(count):
            rep.send(rep.recv())

    t = threading.Thread(target=echo)
    t.start()
    one_way = round_trips(zmq, ctx, addr, size, count)
    t.join()
    rep.close()
    ctx.term()
    return one_way


def round_trips(zmq: Any, ctx: Any, addr: str, size: int, count: int) -> float:
    """The REQ side of the latency tests: ``count`` round trips (the first one untimed)
    to the echo server at ``addr``; the one-way latency in µs."""
    req = ctx.socket(zmq.REQ)
    req.connect(addr)
    payload = b"x" * size
    req.send(payload)
    req.recv()
    start = time.perf_counter()
    for _ in range(count - 1):
        req.send(payload)
        req.recv()
    elapsed = time.perf_counter() - start
    req.close()
    return elapsed / (count - 1) / 2 * 1e6


def echo_server(module: str, transport: str, count: int) -> None:
    """The child of ``latency_two_processes``: a REP echoing ``count`` messages; prints
    its endpoint first."""
    zmq = importlib.import_module(module)
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    rep.bind(endpoint(transport, "lat2"))
    print(rep.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
    for _ in range(count):
        rep.send(rep.recv())
    rep.close()
    ctx.term()


def latency_two_processes(zmq: Any, transport: str, size: int, count: int) -> float:
    """``latency`` with the REP in a process of its own (as client and server usually
    are), both ends the same library."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--echo-server", zmq.__name__, transport, str(count)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        addr = child.stdout.readline().strip()
        ctx = zmq.Context()
        one_way = round_trips(zmq, ctx, addr, size, count)
        ctx.term()
    finally:
        child.wait(60)
    return one_way


def async_round_trips(zmq: Any, transport: str, count: int) -> float:
    """``zmq4.asyncio`` / ``zmq.asyncio``: REQ/REP round trips per second, both ends as
    tasks on one event loop (the default loop)."""
    import asyncio

    aio = importlib.import_module(zmq.__name__ + ".asyncio")

    async def run() -> float:
        ctx = aio.Context()
        rep = ctx.socket(zmq.REP)
        rep.bind(endpoint(transport, "aio"))
        req = ctx.socket(zmq.REQ)
        req.connect(rep.getsockopt(zmq.LAST_ENDPOINT).decode())

        async def echo() -> None:
            for _ in range(count):
                await rep.send(await rep.recv())

        server = asyncio.ensure_future(echo())
        await req.send(b"x")
        await req.recv()
        start = time.perf_counter()
        for _ in range(count - 1):
            await req.send(b"x")
            await req.recv()
        elapsed = time.perf_counter() - start
        await server
        req.close(linger=0)
        rep.close(linger=0)
        ctx.term()
        return (count - 1) / elapsed

    return asyncio.run(run())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--transports", default="inproc,tcp,ipc")
    ap.add_argument("--sizes", default="64,1024")
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--lat-count", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--aio-count", type=int, default=5_000)
    ap.add_argument("--echo-server", nargs=3, metavar=("MODULE", "TRANSPORT", "COUNT"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.echo_server:
        module, transport, count = args.echo_server
        echo_server(module, transport, int(count))
        return
    mods = [importlib.import_module("zmq4"), importlib.import_module("zmq")]
    print(f"{'test':<28}{'zmq4':>14}{'pyzmq':>14}{'zmq4/pyzmq':>12}")
    for transport in args.transports.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            vals = [max(throughput(m, transport, size, args.count)
                        for _ in range(args.repeat)) for m in mods]
            print(f"{f'{transport} PUSH->PULL {size} B':<28}{vals[0]:>14,.0f}{vals[1]:>14,.0f}"
                  f"{vals[0] / vals[1]:>11.2f}x")
        lat = [min(latency(m, transport, 1, args.lat_count) for _ in range(args.repeat))
               for m in mods]
        print(f"{f'{transport} REQ/REP 1 B (us)':<28}{lat[0]:>14.1f}{lat[1]:>14.1f}"
              f"{lat[0] / lat[1]:>11.2f}x")
        if transport != "inproc":
            lat = [min(latency_two_processes(m, transport, 1, args.lat_count)
                       for _ in range(args.repeat)) for m in mods]
            print(f"{f'{transport} REQ/REP 2 procs (us)':<28}{lat[0]:>14.1f}{lat[1]:>14.1f}"
                  f"{lat[0] / lat[1]:>11.2f}x")
        rts = [max(async_round_trips(m, transport, args.aio_count) for _ in range(args.repeat))
               for m in mods]
        print(f"{f'{transport} asyncio REQ/REP (rt/s)':<28}{rts[0]:>14,.0f}{rts[1]:>14,.0f}"
              f"{rts[0] / rts[1]:>11.2f}x")


if __name__ == "__main__":
    main()
