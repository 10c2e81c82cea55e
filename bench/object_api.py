"""The pyzmq-shaped object API, zmq4 against pyzmq with the same code.

The same functions run with ``module`` = ``zmq4`` or ``zmq`` (pyzmq): a PUSH thread and a
PULL thread in one process (``sock.send(b)`` / ``sock.recv()``, copy=True, the way most
Python programs use the API; over tcp also with CURVE on the connection), and REQ/REP
round trips (one-way latency, p50 and p99 of the round trips): both ends as threads of
one process, and for tcp/ipc also with the REP in a process of its own (as a client and
its server usually are; the "2 procs" rows). Last, per transport: asyncio REQ/REP round
trips per second (``zmq4.asyncio`` against ``zmq.asyncio``, both ends on one loop).
zmq4 and pyzmq alternate within each round; each cell is the median of the rounds with
its range, and the ratio column is zmq4/pyzmq of the medians.

    python bench/object_api.py [--transports inproc,tcp,ipc] [--count N] [--rounds R]
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
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


def throughput(zmq: Any, transport: str, size: int, count: int, curve: bool = False) -> float:
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    keys = zmq.curve_keypair() if curve else None
    if keys is not None:
        pull.curve_server = True
        pull.curve_secretkey = keys[1]
    pull.bind(endpoint(transport, "thr"))
    addr = pull.getsockopt(zmq.LAST_ENDPOINT).decode()
    payload = b"x" * size
    received = threading.Event()

    def sender() -> None:
        push = ctx.socket(zmq.PUSH)
        if keys is not None:
            push.curve_serverkey = keys[0]
            push.curve_publickey, push.curve_secretkey = zmq.curve_keypair()
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


def latency(zmq: Any, transport: str, size: int, count: int) -> tuple[float, float]:
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


def round_trips(zmq: Any, ctx: Any, addr: str, size: int, count: int) -> tuple[float, float]:
    """The REQ side of the latency tests: ``count`` round trips (the first one untimed)
    to the echo server at ``addr``; the one-way latency in µs, p50 and p99."""
    req = ctx.socket(zmq.REQ)
    req.connect(addr)
    payload = b"x" * size
    req.send(payload)
    req.recv()
    clock = time.perf_counter
    times = []
    for _ in range(count - 1):
        t0 = clock()
        req.send(payload)
        req.recv()
        times.append(clock() - t0)
    req.close()
    times.sort()
    return times[len(times) // 2] / 2 * 1e6, times[int(len(times) * 0.99)] / 2 * 1e6


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


def latency_two_processes(zmq: Any, transport: str, size: int,
                          count: int) -> tuple[float, float]:
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
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--aio-count", type=int, default=5_000)
    ap.add_argument("--echo-server", nargs=3, metavar=("MODULE", "TRANSPORT", "COUNT"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.echo_server:
        module, transport, count = args.echo_server
        echo_server(module, transport, int(count))
        return
    mods = [importlib.import_module("zmq4"), importlib.import_module("zmq")]
    tests: list[tuple[str, str, Any]] = []  # (label, unit, run(module) -> value(s))
    for transport in args.transports.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            tests.append((f"{transport} PUSH->PULL {size} B", "msg/s",
                          lambda m, t=transport, n=size: throughput(m, t, n, args.count)))
            if transport == "tcp":
                tests.append((f"tcp CURVE PUSH->PULL {size} B", "msg/s",
                              lambda m, n=size: throughput(m, "tcp", n, args.count, True)))
        tests.append((f"{transport} REQ/REP 1 B", "us",
                      lambda m, t=transport: latency(m, t, 1, args.lat_count)))
        if transport != "inproc":
            tests.append((f"{transport} REQ/REP 1 B, 2 procs", "us",
                          lambda m, t=transport: latency_two_processes(m, t, 1,
                                                                       args.lat_count)))
        tests.append((f"{transport} asyncio REQ/REP", "rt/s",
                      lambda m, t=transport: async_round_trips(m, t, args.aio_count)))
    results: dict[str, dict[str, list[Any]]] = {}
    for r in range(args.rounds):
        for label, _, fn in tests:
            for m in mods if r % 2 == 0 else mods[::-1]:
                print(f"  round {r + 1}: {label} ({m.__name__}) ...", file=sys.stderr,
                      flush=True)
                results.setdefault(label, {}).setdefault(m.__name__, []).append(fn(m))

    def cell(values: list[float], fmt: str) -> str:
        return (f"{format(statistics.median(values), fmt)} "
                f"[{format(min(values), fmt)}–{format(max(values), fmt)}]")

    print(f"\nObject API, zmq4 vs pyzmq, medians of {args.rounds} alternating rounds [range]\n")
    print("| test | zmq4 | pyzmq | zmq4 / pyzmq |")
    print("|---|---|---|---|")
    for label, unit, _ in tests:
        z, p = results[label]["zmq4"], results[label]["zmq"]
        if unit == "us":
            for name, i in (("p50", 0), ("p99", 1)):
                zi, pi = [v[i] for v in z], [v[i] for v in p]
                print(f"| {label} latency {name} (us, one way) | {cell(zi, '.1f')} | "
                      f"{cell(pi, '.1f')} | "
                      f"{statistics.median(zi) / statistics.median(pi):.2f}x |")
        else:
            print(f"| {label} ({unit}) | {cell(z, ',.0f')} | {cell(p, ',.0f')} | "
                  f"{statistics.median(z) / statistics.median(p):.2f}x |")
    print("\n(msg/s and rt/s: higher is better for zmq4; us: lower is better)")


if __name__ == "__main__":
    main()
