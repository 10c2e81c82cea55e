"""inproc_thr / inproc_lat in the shape of libzmq's perf tools, zmq4 and pyzmq side by side.

    python bench/inproc.py                      # both implementations, default sizes
    python bench/inproc.py --impl zmq4 --sizes 1,64,1024,65536 --count 200000

Throughput: a sender thread pushes COUNT messages PUSH->PULL over inproc; the receiver
times from the first message to the last (libzmq's inproc_thr). Latency: REQ/REP round
trips over inproc, reported as one-way latency = round trip / 2 (libzmq's inproc_lat).
zmq4 is driven through zmq4.capi (zmq_send / zmq_msg_recv); pyzmq through its Socket API
(send/recv, copy=False from 8 KB up, as pyzmq recommends). Same loop shape for both; the
repeats of the two implementations are interleaved and the best of each is reported.
"""

from __future__ import annotations

import argparse
import threading
import time
from typing import Callable


def zmq4_thr(size: int, count: int) -> float:
    from zmq4 import capi as z

    ctx = z.zmq_ctx_new()
    pull = z.zmq_socket(ctx, z.ZMQ_PULL)
    z.zmq_bind(pull, "inproc://thr")
    payload = b"x" * size

    def sender() -> None:
        push = z.zmq_socket(ctx, z.ZMQ_PUSH)
        z.zmq_connect(push, "inproc://thr")
        send = z.zmq_send
        for _ in range(count):
            send(push, payload, size, 0)
        z.zmq_close(push)

    t = threading.Thread(target=sender)
    t.start()
    msg = z.zmq_msg_t()
    z.zmq_msg_init(msg)
    recv = z.zmq_msg_recv
    recv(msg, pull, 0)
    start = time.perf_counter()
    for _ in range(count - 1):
        recv(msg, pull, 0)
    elapsed = time.perf_counter() - start
    t.join()
    z.zmq_close(pull)
    z.zmq_ctx_term(ctx)
    return (count - 1) / elapsed


def pyzmq_thr(size: int, count: int) -> float:
    import zmq

    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://thr")
    payload = b"x" * size
    copy = size < 8192

    def sender() -> None:
        push = ctx.socket(zmq.PUSH)
        push.connect("inproc://thr")
        send = push.send
        for _ in range(count):
            send(payload, copy=copy)
        push.close()

    t = threading.Thread(target=sender)
    t.start()
    recv = pull.recv
    recv(copy=copy)
    start = time.perf_counter()
    for _ in range(count - 1):
        recv(copy=copy)
    elapsed = time.perf_counter() - start
    t.join()
    pull.close()
    ctx.term()
    return (count - 1) / elapsed


def zmq4_lat(size: int, count: int) -> float:
    from zmq4 import capi as z

    ctx = z.zmq_ctx_new()
    rep = z.zmq_socket(ctx, z.ZMQ_REP)
    z.zmq_bind(rep, "inproc://lat")
    payload = b"x" * size

    def echo() -> None:
        msg = z.zmq_msg_t()
        z.zmq_msg_init(msg)
        for _ in range(count):
            z.zmq_msg_recv(msg, rep, 0)
            z.zmq_msg_send(msg, rep, 0)

    t = threading.Thread(target=echo)
    t.start()
    req = z.zmq_socket(ctx, z.ZMQ_REQ)
    z.zmq_connect(req, "inproc://lat")
    msg = z.zmq_msg_t()
    z.zmq_msg_init(msg)
    send, recv = z.zmq_send, z.zmq_msg_recv
    start = time.perf_counter()
    for _ in range(count):
        send(req, payload, size, 0)
        recv(msg, req, 0)
    elapsed = time.perf_counter() - start
    t.join()
    z.zmq_close(req)
    z.zmq_close(rep)
    z.zmq_ctx_term(ctx)
    return elapsed / count / 2 * 1e6


def pyzmq_lat(size: int, count: int) -> float:
    import zmq

    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    rep.bind("inproc://lat")
    payload = b"x" * size

    def echo() -> None:
        for _ in range(count):
            rep.send(rep.recv(copy=False), copy=False)

    t = threading.Thread(target=echo)
    t.start()
    req = ctx.socket(zmq.REQ)
    req.connect("inproc://lat")
    start = time.perf_counter()
    for _ in range(count):
        req.send(payload)
        req.recv()
    elapsed = time.perf_counter() - start
    t.join()
    req.close()
    rep.close()
    ctx.term()
    return elapsed / count / 2 * 1e6


IMPLS: dict[str, tuple[Callable[[int, int], float], Callable[[int, int], float]]] = {
    "zmq4": (zmq4_thr, zmq4_lat),
    "pyzmq": (pyzmq_thr, pyzmq_lat),
}


def best(kind: int, size: int, count: int, impls: list[str], repeat: int,
         pick: Callable[[list[float]], float]) -> list[float]:
    """Best of ``repeat`` runs per implementation (``kind`` 0: throughput, 1: latency), the
    runs interleaved (zmq4, pyzmq, zmq4, ...) so that a burst of load on the machine does
    not land on one implementation only."""
    results: dict[str, list[float]] = {i: [] for i in impls}
    for _ in range(repeat):
        for i in impls:
            results[i].append(IMPLS[i][kind](size, count))
    return [pick(results[i]) for i in impls]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--impl", choices=["zmq4", "pyzmq", "both"], default="both")
    ap.add_argument("--sizes", default="1,64,1024,65536")
    ap.add_argument("--count", type=int, default=200_000)
    ap.add_argument("--lat-count", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = ap.parse_args()
    impls = ["zmq4", "pyzmq"] if args.impl == "both" else [args.impl]
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"inproc PUSH->PULL throughput (msg/s, best of {args.repeat})")
    print(f"{'size':>8}" + "".join(f"{i:>14}" for i in impls) + ("   zmq4/pyzmq" if len(impls) == 2 else ""))
    for size in sizes:
        count = args.count if size < 65536 else max(2000, args.count // 10)
        row = best(0, size, count, impls, args.repeat, max)
        line = f"{size:>8}" + "".join(f"{v:>14,.0f}" for v in row)
        if len(row) == 2:
            line += f"{row[0] / row[1]:>12.2f}x"
        print(line, flush=True)
    print(f"inproc REQ/REP one-way latency (us, best of {args.repeat})")
    for size in (1, 1024):
        row = best(1, size, args.lat_count, impls, args.repeat, min)
        line = f"{size:>8}" + "".join(f"{v:>14.2f}" for v in row)
        if len(row) == 2:
            line += f"{row[0] / row[1]:>12.2f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
