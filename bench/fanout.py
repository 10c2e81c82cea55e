"""PUB/SUB fan-out over tcp, the object API: zmq4 against pyzmq with the same code.

A publisher process sends messages of SIZE bytes as fast as ``send`` returns for SECONDS,
to S subscriber processes of the same implementation (default high-water marks: a PUB drops
what a slow subscriber cannot take, as it must). Per run: the publisher's send rate, each
subscriber's receive rate (from its first message to its last) and how many messages it
lost, and the publisher process's CPU time (all its threads, user and system) per
message sent, from the first send until 0.5 s after the last. zmq4 and pyzmq alternate
within each round; the table gives medians of the rounds with their range (a subscriber
figure is first the median over the subscribers of a run).

    python bench/fanout.py [--subscribers 1,10] [--sizes 64,1024] [--seconds 2]
                           [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

HERE = os.path.abspath(__file__)
END = b"\xffEND"


def _zmq(impl: str) -> Any:
    if impl == "zmq4":
        import zmq4
        return zmq4
    import zmq
    return zmq


def role_sub(impl: str, endpoint: str, ready_endpoint: str) -> None:
    zmq = _zmq(impl)
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.subscribe(b"")
    sub.connect(endpoint)
    ready = ctx.socket(zmq.PUSH)
    ready.connect(ready_endpoint)
    while sub.recv() != b"hello":  # the subscription has reached the publisher
        pass
    ready.send(b"%d" % os.getpid())
    recv = sub.recv
    m = recv()
    while m == b"hello":
        m = recv()
    t0 = t1 = time.perf_counter()
    n = 1
    while True:
        m = recv()
        if m == END:
            break
        if m == b"hello":
            continue
        n += 1
        t1 = time.perf_counter()
    print(json.dumps({"received": n, "rate": (n - 1) / (t1 - t0) if t1 > t0 else 0.0}), flush=True)
    ctx.destroy(linger=0)


def run(impl: str, subscribers: int, size: int, seconds: float) -> dict[str, float]:
    zmq = _zmq(impl)
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    ready = ctx.socket(zmq.PULL)
    rport = ready.bind_to_random_port("tcp://127.0.0.1")
    subs = [subprocess.Popen([sys.executable, HERE, "--role", "sub", "--impl", impl,
                              "--endpoint", f"tcp://127.0.0.1:{port}",
                              "--ready", f"tcp://127.0.0.1:{rport}"],
                             stdout=subprocess.PIPE, text=True)
            for _ in range(subscribers)]
    seen: set[bytes] = set()
    while len(seen) < subscribers:  # every subscriber is connected and subscribed
        pub.send(b"hello")
        while ready.poll(50):
            seen.add(ready.recv())  # a subscriber's pid
    payload = b"x" * size
    send = pub.send
    count = 0
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        for _ in range(1000):
            send(payload)
        count += 1000
    elapsed = time.perf_counter() - t0
    time.sleep(0.5)  # the I/O threads write what is queued
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    for _ in range(20):
        pub.send(END)
        time.sleep(0.05)
    results = [json.loads(p.communicate(timeout=120)[0]) for p in subs]
    ctx.destroy(linger=0)
    return {"send_rate": count / elapsed, "pub_us": cpu / count * 1e6,
            "recv_rate": statistics.median(r["rate"] for r in results),
            "lost": statistics.median((count - r["received"]) / count for r in results)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--role", default="main", help=argparse.SUPPRESS)
    ap.add_argument("--impl", default="zmq4", help=argparse.SUPPRESS)
    ap.add_argument("--endpoint", default="", help=argparse.SUPPRESS)
    ap.add_argument("--ready", default="", help=argparse.SUPPRESS)
    ap.add_argument("--subscribers", default="1,10")
    ap.add_argument("--sizes", default="64,1024")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    if a.role == "sub":
        return role_sub(a.impl, a.endpoint, a.ready)
    impls = ["zmq4", "pyzmq"]
    rows: dict[tuple[int, int], dict[str, list[dict[str, float]]]] = {}
    for r in range(a.rounds):
        for subs in (int(x) for x in a.subscribers.split(",")):
            for size in (int(x) for x in a.sizes.split(",")):
                for impl in impls if r % 2 == 0 else impls[::-1]:
                    print(f"round {r + 1}: {subs} subscribers, {size} B, {impl} ...",
                          file=sys.stderr, flush=True)
                    rows.setdefault((subs, size), {}).setdefault(impl, []).append(
                        run(impl, subs, size, a.seconds))

    def cell(runs: list[dict[str, float]], key: str, fmt: str) -> str:
        v = [x[key] for x in runs]
        return (f"{format(statistics.median(v), fmt)} "
                f"[{format(min(v), fmt)}–{format(max(v), fmt)}]")

    print(f"\nPUB/SUB fan-out over tcp, object API, {a.seconds:g} s of sending; medians of "
          f"{a.rounds} alternating rounds [range]\n")
    print("| subscribers, size | zmq4 sent/s | pyzmq sent/s | zmq4 received/s per sub | "
          "pyzmq received/s per sub | received zmq4 / pyzmq | share lost zmq4 / pyzmq | "
          "publisher CPU µs per message sent, zmq4 / pyzmq |")
    print("|---|---|---|---|---|---|---|---|")
    for (subs, size), by in rows.items():
        ratio = (statistics.median(x["recv_rate"] for x in by["zmq4"])
                 / statistics.median(x["recv_rate"] for x in by["pyzmq"]))
        lost = (f"{statistics.median(x['lost'] for x in by['zmq4']):.0%} / "
                f"{statistics.median(x['lost'] for x in by['pyzmq']):.0%}")
        print(f"| {subs}, {size} B | {cell(by['zmq4'], 'send_rate', ',.0f')} | "
              f"{cell(by['pyzmq'], 'send_rate', ',.0f')} | "
              f"{cell(by['zmq4'], 'recv_rate', ',.0f')} | "
              f"{cell(by['pyzmq'], 'recv_rate', ',.0f')} | {ratio:.2f}x | {lost} | "
              f"{cell(by['zmq4'], 'pub_us', '.2f')} / {cell(by['pyzmq'], 'pub_us', '.2f')} |")


if __name__ == "__main__":
    main()
