"""``zmq4 perf``: throughput and latency in the shape of libzmq's perf tools, side by side
with real libzmq (through pyzmq) when pyzmq is installed.

Throughput (local_thr/remote_thr): a child process PUSHes COUNT messages of SIZE bytes;
this process PULLs and times from the first message to the last. Latency (local_lat/
remote_lat): a child process echoes on REP; this process times COUNT REQ round trips and
reports the one-way latency (round trip / 2). zmq4 runs through ``zmq4.capi``; libzmq
through pyzmq's Socket API (copy=False from 8 KB up). The same loop shapes for both.
``--curve`` puts CURVE on every connection (binders are servers, with one key pair made
per run); ``--handshakes N`` also times N cycles of new REQ socket + connect + one round
trip + close against a REP server of the same implementation (the handshake rate).

Roles can also be run by hand, one per process, like libzmq's tools:
    python -m zmq4.perf remote_thr zmq4 tcp://127.0.0.1:5555 64 100000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Any, Callable, Optional

IMPLS = ("zmq4", "pyzmq")


# --------------------------------------------------------------------------- CURVE
#: "public secret" (Z85) of the server key pair when ``--curve`` is on; the children
#: inherit it through the environment. Binders are CURVE servers, connecters clients.
CURVE_ENV = "ZMQ4_PERF_CURVE"


def _curve_server_keys() -> Optional[tuple[bytes, bytes]]:
    value = os.environ.get(CURVE_ENV)
    if not value:
        return None
    public, secret = value.split(" ")  # Z85 has no space (it has ":")
    return public.encode(), secret.encode()


def _z4_secure(z: Any, s: Any, server: bool) -> None:
    keys = _curve_server_keys()
    if keys is None:
        return
    if server:
        z.zmq_setsockopt(s, z.ZMQ_CURVE_SERVER, 1)
        z.zmq_setsockopt(s, z.ZMQ_CURVE_SECRETKEY, keys[1])
    else:
        public, secret = z.zmq_curve_keypair()
        z.zmq_setsockopt(s, z.ZMQ_CURVE_SERVERKEY, keys[0])
        z.zmq_setsockopt(s, z.ZMQ_CURVE_PUBLICKEY, public)
        z.zmq_setsockopt(s, z.ZMQ_CURVE_SECRETKEY, secret)


def _lz_secure(s: Any, server: bool) -> None:
    import zmq

    keys = _curve_server_keys()
    if keys is None:
        return
    if server:
        s.curve_server = True
        s.curve_secretkey = keys[1]
    else:
        public, secret = zmq.curve_keypair()
        s.curve_serverkey = keys[0]
        s.curve_publickey = public
        s.curve_secretkey = secret


# --------------------------------------------------------------------------- zmq4 roles
def _z4() -> Any:
    from . import capi

    return capi


def z4_local_thr(bind: str, size: int, count: int, ready: Callable[[str], None]) -> float:
    z = _z4()
    ctx = z.zmq_ctx_new()
    s = z.zmq_socket(ctx, z.ZMQ_PULL)
    z.zmq_setsockopt(s, z.ZMQ_RCVHWM, 0)
    _z4_secure(z, s, server=True)
    if z.zmq_bind(s, bind) != 0:
        raise OSError(z.zmq_errno(), z.zmq_strerror(z.zmq_errno()))
    ready(z.zmq_getsockopt(s, z.ZMQ_LAST_ENDPOINT).decode())
    msg = z.zmq_msg_t()
    z.zmq_msg_init(msg)
    recv = z.zmq_msg_recv
    recv(msg, s, 0)
    start = time.perf_counter()
    for _ in range(count - 1):
        if recv(msg, s, 0) != size:
            raise RuntimeError("message of wrong size")
    elapsed = time.perf_counter() - start
    z.zmq_close(s)
    z.zmq_ctx_term(ctx)
    return (count - 1) / elapsed


def z4_remote_thr(connect: str, size: int, count: int) -> None:
    z = _z4()
    ctx = z.zmq_ctx_new()
    s = z.zmq_socket(ctx, z.ZMQ_PUSH)
    z.zmq_setsockopt(s, z.ZMQ_SNDHWM, 0)
    _z4_secure(z, s, server=False)
    z.zmq_connect(s, connect)
    payload = b"\0" * size
    send = z.zmq_send
    for _ in range(count):
        send(s, payload, size, 0)
    z.zmq_close(s)  # linger -1: everything is delivered before term returns
    z.zmq_ctx_term(ctx)


def z4_local_lat(bind: str, size: int, count: int, ready: Callable[[str], None]) -> None:
    z = _z4()
    ctx = z.zmq_ctx_new()
    s = z.zmq_socket(ctx, z.ZMQ_REP)
    _z4_secure(z, s, server=True)
    z.zmq_bind(s, bind)
    ready(z.zmq_getsockopt(s, z.ZMQ_LAST_ENDPOINT).decode())
    msg = z.zmq_msg_t()
    z.zmq_msg_init(msg)
    for _ in range(count):
        z.zmq_msg_recv(msg, s, 0)
        z.zmq_msg_send(msg, s, 0)
    z.zmq_close(s)
    z.zmq_ctx_term(ctx)


def z4_remote_lat(connect: str, size: int, count: int) -> float:
    z = _z4()
    ctx = z.zmq_ctx_new()
    s = z.zmq_socket(ctx, z.ZMQ_REQ)
    _z4_secure(z, s, server=False)
    z.zmq_connect(s, connect)
    payload = b"\0" * size
    msg = z.zmq_msg_t()
    z.zmq_msg_init(msg)
    send, recv = z.zmq_send, z.zmq_msg_recv
    send(s, payload, size, 0)
    recv(msg, s, 0)  # connection established before timing
    start = time.perf_counter()
    for _ in range(count - 1):
        send(s, payload, size, 0)
        recv(msg, s, 0)
    elapsed = time.perf_counter() - start
    z.zmq_close(s)
    z.zmq_ctx_term(ctx)
    return elapsed / (count - 1) / 2 * 1e6


# --------------------------------------------------------------------------- pyzmq roles
def lz_local_thr(bind: str, size: int, count: int, ready: Callable[[str], None]) -> float:
    import zmq

    ctx = zmq.Context()
    s = ctx.socket(zmq.PULL)
    s.rcvhwm = 0
    _lz_secure(s, server=True)
    s.bind(bind)
    ready(s.getsockopt_string(zmq.LAST_ENDPOINT))
    copy = size < 8192
    recv = s.recv
    recv(copy=copy)
    start = time.perf_counter()
    for _ in range(count - 1):
        recv(copy=copy)
    elapsed = time.perf_counter() - start
    s.close()
    ctx.term()
    return (count - 1) / elapsed


def lz_remote_thr(connect: str, size: int, count: int) -> None:
    import zmq

    ctx = zmq.Context()
    s = ctx.socket(zmq.PUSH)
    s.sndhwm = 0
    _lz_secure(s, server=False)
    s.connect(connect)
    payload = b"\0" * size
    copy = size < 8192
    send: Any = s.send  # (typing) pyzmq's overloads want a literal ``copy``
    for _ in range(count):
        send(payload, copy=copy)
    s.close()
    ctx.term()


def lz_local_lat(bind: str, size: int, count: int, ready: Callable[[str], None]) -> None:
    import zmq

    ctx = zmq.Context()
    s = ctx.socket(zmq.REP)
    _lz_secure(s, server=True)
    s.bind(bind)
    ready(s.getsockopt_string(zmq.LAST_ENDPOINT))
    for _ in range(count):
        s.send(s.recv(copy=False), copy=False)
    s.close()
    ctx.term()


def lz_remote_lat(connect: str, size: int, count: int) -> float:
    import zmq

    ctx = zmq.Context()
    s = ctx.socket(zmq.REQ)
    _lz_secure(s, server=False)
    s.connect(connect)
    payload = b"\0" * size
    s.send(payload)
    s.recv()
    start = time.perf_counter()
    for _ in range(count - 1):
        s.send(payload)
        s.recv()
    elapsed = time.perf_counter() - start
    s.close()
    ctx.term()
    return elapsed / (count - 1) / 2 * 1e6


# --------------------------------------------------------------------------- handshakes
def z4_handshakes(connect: str, count: int) -> float:
    """New connections per second: connect a fresh REQ, one round trip, close."""
    z = _z4()
    ctx = z.zmq_ctx_new()
    msg = z.zmq_msg_t()
    z.zmq_msg_init(msg)
    start = time.perf_counter()
    for _ in range(count):
        s = z.zmq_socket(ctx, z.ZMQ_REQ)
        z.zmq_setsockopt(s, z.ZMQ_LINGER, 0)
        _z4_secure(z, s, server=False)
        z.zmq_connect(s, connect)
        z.zmq_send(s, b"x", 1, 0)
        z.zmq_msg_recv(msg, s, 0)
        z.zmq_close(s)
    elapsed = time.perf_counter() - start
    z.zmq_ctx_term(ctx)
    return count / elapsed


def lz_handshakes(connect: str, count: int) -> float:
    import zmq

    ctx = zmq.Context()
    start = time.perf_counter()
    for _ in range(count):
        s = ctx.socket(zmq.REQ)
        s.linger = 0
        _lz_secure(s, server=False)
        s.connect(connect)
        s.send(b"x")
        s.recv()
        s.close()
    elapsed = time.perf_counter() - start
    ctx.term()
    return count / elapsed


HANDSHAKES: dict[str, Callable[[str, int], float]] = {"zmq4": z4_handshakes,
                                                      "pyzmq": lz_handshakes}


ROLES: dict[str, dict[str, Callable[..., Any]]] = {
    "zmq4": {"local_thr": z4_local_thr, "remote_thr": z4_remote_thr,
             "local_lat": z4_local_lat, "remote_lat": z4_remote_lat},
    "pyzmq": {"local_thr": lz_local_thr, "remote_thr": lz_remote_thr,
              "local_lat": lz_local_lat, "remote_lat": lz_remote_lat},
}


# --------------------------------------------------------------------------- driver
def _child(role: str, impl: str, endpoint: str, size: int, count: int) -> subprocess.Popen[str]:
    env = dict(os.environ)
    return subprocess.Popen(
        [sys.executable, "-m", "zmq4.perf", role, impl, endpoint, str(size), str(count)],
        env=env, stdout=subprocess.PIPE, text=True,
    )


def _bind_address(transport: str) -> str:
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    import tempfile

    return f"ipc://{tempfile.gettempdir()}/zmq4-perf-{os.getpid()}-{time.monotonic_ns()}"


def throughput(impl: str, transport: str, size: int, count: int) -> float:
    holder: dict[str, subprocess.Popen[str]] = {}

    def ready(ep: str) -> None:
        holder["p"] = _child("remote_thr", impl, ep, size, count)

    rate = ROLES[impl]["local_thr"](_bind_address(transport), size, count, ready)
    holder["p"].wait(120)
    return float(rate)


def latency(impl: str, transport: str, size: int, count: int) -> float:
    proc = subprocess.Popen(
        [sys.executable, "-m", "zmq4.perf", "local_lat", impl, _bind_address(transport),
         str(size), str(count)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("ENDPOINT "):
        proc.kill()
        raise RuntimeError(f"local_lat did not start: {line!r}")
    us = ROLES[impl]["remote_lat"](line.split(" ", 1)[1], size, count)
    proc.wait(120)
    return float(us)


def handshake_rate(impl: str, transport: str, count: int) -> float:
    """Connections per second to a REP server (CURVE with ``--curve``) of the same impl."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "zmq4.perf", "local_lat", impl, _bind_address(transport),
         "1", str(count)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("ENDPOINT "):
        proc.kill()
        raise RuntimeError(f"local_lat did not start: {line!r}")
    rate = HANDSHAKES[impl](line.split(" ", 1)[1], count)
    proc.wait(120)
    return float(rate)


def _have_pyzmq() -> bool:
    try:
        import zmq  # noqa: F401
    except ImportError:
        return False
    return True


def run(args: argparse.Namespace) -> int:
    impls = [i for i in (["zmq4", "pyzmq"] if args.impl == "both" else [args.impl])
             if i != "pyzmq" or _have_pyzmq()]
    sizes = [int(x) for x in args.sizes.split(",")]
    out = sys.stdout
    if args.curve:
        from .certs import curve_keypair

        public, secret = curve_keypair()
        os.environ[CURVE_ENV] = f"{public.decode()} {secret.decode()}"
    print(f"zmq4 perf: {args.transport} PUSH->PULL throughput and REQ/REP latency "
          f"{'over CURVE ' if args.curve else ''}"
          f"({', '.join(impls)}; best of {args.repeat})", file=out)
    rows: list[tuple[str, int, list[float]]] = []
    for size in sizes:
        count = args.count if size < 65536 else max(1000, args.count // 20)
        vals = []
        for impl in impls:
            print(f"  throughput {size:>7} B x {count} via {impl} ...", file=out, flush=True)
            vals.append(max(throughput(impl, args.transport, size, count)
                            for _ in range(args.repeat)))
        rows.append(("msg/s", size, vals))
    for size in (1, 1024):
        vals = []
        for impl in impls:
            print(f"  latency    {size:>7} B x {args.lat_count} via {impl} ...", file=out,
                  flush=True)
            vals.append(min(latency(impl, args.transport, size, args.lat_count)
                            for _ in range(args.repeat)))
        rows.append(("us", size, vals))
    if args.handshakes:
        vals = []
        for impl in impls:
            print(f"  handshakes {args.handshakes} via {impl} ...", file=out, flush=True)
            vals.append(max(handshake_rate(impl, args.transport, args.handshakes)
                            for _ in range(args.repeat)))
        rows.append(("conn/s", 0, vals))
    head = f"{'metric':<12}{'size':>8}" + "".join(f"{i:>14}" for i in impls)
    if len(impls) == 2:
        head += f"{'zmq4/pyzmq':>12}"
    print(head, file=out)
    for unit, size, vals in rows:
        label = {"msg/s": "throughput", "us": "latency us", "conn/s": "connects/s"}[unit]
        line = f"{label:<12}{size if unit != 'conn/s' else '-':>8}"
        line += "".join(f"{v:>14.1f}" if unit == "us" else f"{v:>14,.0f}" for v in vals)
        if len(vals) == 2:
            line += f"{vals[0] / vals[1]:>11.2f}x"
        print(line, file=out)
    if len(impls) == 2:
        print("(throughput, connects/s: higher is better; latency: lower is better)",
              file=out)
    return 0


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--transport", choices=["tcp", "ipc"], default="tcp")
    ap.add_argument("--impl", choices=["zmq4", "pyzmq", "both"], default="both")
    ap.add_argument("--sizes", default="1,64,1024,65536")
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--lat-count", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs")
    ap.add_argument("--curve", action="store_true",
                    help="CURVE on every connection (binders are servers)")
    ap.add_argument("--handshakes", type=int, default=0, metavar="N",
                    help="also time N connect + round trip + close cycles")


def _role_main(argv: list[str]) -> int:
    role, impl, endpoint, size, count = argv[0], argv[1], argv[2], int(argv[3]), int(argv[4])
    fn = ROLES[impl][role]
    if role.startswith("local"):
        def ready(ep: str) -> None:
            print(f"ENDPOINT {ep}", flush=True)

        result: Optional[float] = fn(endpoint, size, count, ready)
        if result is not None:
            print(result, flush=True)
    else:
        result = fn(endpoint, size, count)
        if result is not None:
            print(result, flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("local_thr", "remote_thr", "local_lat",
                                             "remote_lat"):
        sys.exit(_role_main(sys.argv[1:]))
    parser = argparse.ArgumentParser(prog="python -m zmq4.perf")
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
