"""A server under attack: what each connection costs it, and what good clients see.

The same server program (a ROUTER echoing every message, NULL or CURVE) runs in a process
of its own on zmq4 and on pyzmq (libzmq), side by side in one run; every client is the same
for both (pyzmq for the good ones, raw sockets and zmq4's sans-IO ZMTP for the hostile
ones), so only the server differs.

1. Memory: the server's RSS before and after N connections that never send a byte
   ("silent"), N that sent a ZMTP 3.0 greeting and stopped ("greeted", mid-handshake),
   and N pyzmq DEALERs that completed the handshake and one round trip ("ready").
2. CPU: server CPU time (user + system, /proc) per accepted connection for the ready ones
   (accept + handshake + one echo), and the wall time of closing the server with them
   open (``close(linger=0)`` + ``term()``).
3. Good clients under attack: G pyzmq DEALERs doing sequential round trips (p50, p99,
   max, and 2 s timeouts) for T seconds each: quiet; under garbage (connect, random bytes,
   close, in a loop); under MORE floods (a client that completes the handshake, then
   sends an endless message of 1-byte MORE frames as fast as the kernel takes them);
   under CURVE replays (a recorded client handshake replayed on new connections; CURVE
   only); and under all of them at once.

Alternating rounds (zmq4, pyzmq, zmq4, ...); the table gives medians with [min-max].

    python bench/under_attack.py [--mechanism curve|null] [--idle 2000] [--ready 1000]
                                 [--seconds 5] [--rounds 3] [--hostile 2] [--good 4]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

HERE = os.path.abspath(__file__)
TIMEOUT_S = 2.0


def _zmq(impl: str) -> Any:
    if impl == "zmq4":
        import zmq4
        return zmq4
    import zmq
    return zmq


# ------------------------------------------------------------------ server process

def role_server(impl: str, secret: str) -> None:
    zmq = _zmq(impl)
    ctx = zmq.Context()
    s = ctx.socket(zmq.ROUTER)
    s.linger = 0
    if secret:
        s.curve_server = True
        s.curve_secretkey = secret.encode()
    port = s.bind_to_random_port("tcp://127.0.0.1")
    print(port, flush=True)
    stop = threading.Event()

    def control() -> None:
        sys.stdin.readline()
        stop.set()

    threading.Thread(target=control, daemon=True).start()
    while not stop.is_set():
        if not s.poll(100):
            continue
        for _ in range(1000):
            try:
                frames = s.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            s.send_multipart(frames)
    t0 = time.perf_counter()
    s.close(linger=0)
    ctx.term()
    print(json.dumps({"close_s": time.perf_counter() - t0}), flush=True)


class Server:
    def __init__(self, impl: str, secret: str) -> None:
        self.proc = subprocess.Popen([sys.executable, HERE, "--role", "server", "--impl",
                                      impl, "--secret", secret],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.endpoint = f"tcp://127.0.0.1:{self.port}"

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_s(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def close(self) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("close\n")
        self.proc.stdin.flush()
        out = json.loads(self.proc.stdout.readline())
        self.proc.wait(60)
        return float(out["close_s"])


def wait_for(predicate: Any, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


def settle_rss(server: Server) -> int:
    """The server's RSS once it stopped changing (allocations land after accept)."""
    last = server.rss_kb()
    for _ in range(40):
        time.sleep(0.1)
        now = server.rss_kb()
        if abs(now - last) < 64:
            return now
        last = now
    return last


# ------------------------------------------------------------------ hostile clients

def greeting(mechanism: bytes) -> bytes:
    """A ZMTP 3.0 greeting (RFC 23 §Greeting), as a client."""
    return (b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + mechanism.ljust(20, b"\x00")
            + b"\x00" + b"\x00" * 31)


def zmtp_client(host: str, port: int, server_public: bytes) -> tuple[socket.socket, Any]:
    """A raw socket with a finished ZMTP handshake as a DEALER (zmq4's sans-IO
    connection drives it: NULL, or CURVE with a fresh key pair)."""
    from zmq4 import zmq_h as C
    from zmq4.zmtp import HandshakeComplete, ZmtpConnection
    from zmq4.zmtp.mechanisms import CurveMechanism, NullMechanism

    if server_public:
        import zmq4
        pub, sec = zmq4.curve_keypair()
        mech: Any = CurveMechanism(public_key=zmq4.z85.decode(pub),
                                   secret_key=zmq4.z85.decode(sec),
                                   server_key=zmq4.z85.decode(server_public))
    else:
        mech = NullMechanism()
    conn = ZmtpConnection(C.DEALER, mech)
    sock = socket.create_connection((host, port))
    sock.sendall(conn.data_to_send())
    done = False
    while not done:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("server closed during the handshake")
        conn.receive_data(data)
        out = conn.data_to_send()
        if out:
            sock.sendall(out)
        for ev in conn.events():
            if isinstance(ev, HandshakeComplete):
                done = True
    return sock, conn


def role_moreflood(port: int, server_public: str, seconds: float) -> None:
    """One connection sending an endless message of 1-byte MORE frames."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            sock, conn = zmtp_client("127.0.0.1", port, server_public.encode())
            parts = 4096
            while time.monotonic() < end:
                conn.send_message([b"x"] * (parts + 1))
                chunk = bytes(conn.data_to_send())
                frame = len(chunk) // (parts + 1)
                sock.sendall(chunk[:frame * parts])  # never the last frame: MORE forever
        except OSError:
            time.sleep(0.01)


def role_garbage(port: int, seconds: float) -> None:
    """Connect, send random bytes (after a valid signature, half the time), close."""
    rnd = random.Random(os.getpid())
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port)) as s:
                head = greeting(b"NULL")[:10] if rnd.random() < 0.5 else b""
                s.sendall(head + rnd.randbytes(rnd.randint(64, 4096)))
        except OSError:
            time.sleep(0.001)


def role_replay(port: int, server_public: str, seconds: float) -> None:
    """Record one real CURVE client's bytes, then replay them on new connections."""
    from zmq4 import zmq_h as C
    from zmq4.zmtp import HandshakeComplete, ZmtpConnection
    from zmq4.zmtp.mechanisms import CurveMechanism

    import zmq4
    pub, sec = zmq4.curve_keypair()
    conn = ZmtpConnection(C.DEALER, CurveMechanism(
        public_key=zmq4.z85.decode(pub), secret_key=zmq4.z85.decode(sec),
        server_key=zmq4.z85.decode(server_public.encode())))
    recorded = bytearray()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        out = conn.data_to_send()
        recorded += out
        sock.sendall(out)
        done = False
        while not done:
            conn.receive_data(sock.recv(65536))
            out = conn.data_to_send()
            recorded += out
            sock.sendall(out)
            done = any(isinstance(ev, HandshakeComplete) for ev in conn.events())
        conn.send_message([b"replayed"])
        out = conn.data_to_send()
        recorded += out
        sock.sendall(out)
    blob = bytes(recorded)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(blob)
                s.settimeout(0.5)
                while s.recv(65536):
                    pass
        except OSError:
            pass


# ------------------------------------------------------------------ good clients

def role_good(endpoint: str, server_public: str, seconds: float, count: int) -> None:
    import zmq
    ctx = zmq.Context()
    results: list[list[float]] = [[] for _ in range(count)]
    timeouts = [0] * count
    socks = []
    for _ in range(count):
        s = ctx.socket(zmq.DEALER)
        s.linger = 0
        if server_public:
            s.curve_serverkey = server_public.encode()
            s.curve_publickey, s.curve_secretkey = zmq.curve_keypair()
        s.connect(endpoint)
        socks.append(s)
    for s in socks:  # connected and answered once before the clock starts
        s.send(b"hello")
        if not s.poll(30000):
            raise TimeoutError("a good client got no first answer")
        s.recv()
    end = time.monotonic() + seconds

    def run(i: int) -> None:
        s = socks[i]
        while time.monotonic() < end:
            t0 = time.perf_counter()
            s.send(b"ping")
            if s.poll(int(TIMEOUT_S * 1000)):
                s.recv()
                results[i].append(time.perf_counter() - t0)
            else:
                timeouts[i] += 1
                results[i].append(TIMEOUT_S)
                s.close(linger=0)  # a late answer must not count for the next ping
                s = socks[i] = ctx.socket(zmq.DEALER)
                s.linger = 0
                if server_public:
                    s.curve_serverkey = server_public.encode()
                    s.curve_publickey, s.curve_secretkey = zmq.curve_keypair()
                s.connect(endpoint)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rtts = sorted(x for r in results for x in r)
    ctx.destroy(linger=0)
    print(json.dumps({"rtts": len(rtts), "timeouts": sum(timeouts),
                      "p50_ms": 1000 * rtts[len(rtts) // 2],
                      "p99_ms": 1000 * rtts[min(len(rtts) - 1, int(len(rtts) * 0.99))],
                      "max_ms": 1000 * rtts[-1]}))


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, HERE, *args], stdout=subprocess.PIPE, text=True)


# ------------------------------------------------------------------ one round

def _idle_rss(impl: str, secret: str, count: int, first: bytes) -> float:
    """Server RSS per connection for ``count`` raw connections that sent ``first``."""
    server = Server(impl, secret)
    try:
        base_fds = server.fds()
        base = settle_rss(server)
        socks = []
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", server.port))
            if first:
                s.sendall(first)
            socks.append(s)
            if len(socks) % 50 == 0:  # within the listen backlog (else SYNs are retried)
                wait_for(lambda: server.fds() >= base_fds + len(socks), "accepts")
        wait_for(lambda: server.fds() >= base_fds + count, "connections accepted")
        per = (settle_rss(server) - base) / count
        server.close()
        for s in socks:
            s.close()
        return per
    finally:
        if server.proc.poll() is None:
            server.proc.kill()


def memory_and_cpu(impl: str, public: str, secret: str, idle: int, ready: int) -> dict[str, float]:
    import zmq
    mech = b"CURVE" if secret else b"NULL"
    out = {"silent_kb": _idle_rss(impl, secret, idle, b""),
           "greeted_kb": _idle_rss(impl, secret, idle, greeting(mech))}
    server = Server(impl, secret)
    try:
        base = settle_rss(server)
        ctx = zmq.Context()
        ctx.max_sockets = ready + 16
        cpu0 = server.cpu_s()
        socks: list[Any] = []
        while len(socks) < ready:
            batch = []  # 50 at a time: within the listen backlog (else SYNs are retried)
            for _ in range(min(50, ready - len(socks))):
                s = ctx.socket(zmq.DEALER)
                s.linger = 0
                if public:
                    s.curve_serverkey = public.encode()
                    s.curve_publickey, s.curve_secretkey = zmq.curve_keypair()
                s.connect(server.endpoint)
                s.send(b"hi")
                batch.append(s)
            for s in batch:
                if not s.poll(60000):
                    raise TimeoutError("a ready client got no answer")
                s.recv()
            socks += batch
        out["accept_ms"] = 1000 * (server.cpu_s() - cpu0) / ready
        out["ready_kb"] = (settle_rss(server) - base) / ready
        out["close_s"] = server.close()
        ctx.destroy(linger=0)
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
    return out


def under_attack(impl: str, public: str, secret: str, seconds: float, hostile: int,
                 good: int) -> dict[str, dict[str, float]]:
    phases: dict[str, list[str]] = {"quiet": [], "garbage": ["garbage"],
                                    "MORE flood": ["moreflood"]}
    if secret:
        phases["CURVE replay"] = ["replay"]
    phases["all at once"] = [k for v in list(phases.values()) for k in v]
    out: dict[str, dict[str, float]] = {}
    server = Server(impl, secret)
    try:
        for name, kinds in phases.items():
            attackers = []
            for kind in kinds:
                for _ in range(hostile):
                    extra = [] if kind == "garbage" else ["--public", public]
                    attackers.append(spawn("--role", kind, "--port", str(server.port),
                                           "--seconds", str(seconds + 2), *extra))
            if attackers:
                time.sleep(1.0)  # the attack is under way before the clock starts
            g = spawn("--role", "good", "--endpoint", server.endpoint, "--public", public,
                      "--seconds", str(seconds), "--good", str(good))
            stdout, _ = g.communicate(timeout=seconds + 120)
            out[name] = json.loads(stdout)
            for a in attackers:
                try:
                    a.wait(seconds + 30)
                except subprocess.TimeoutExpired:
                    a.kill()
        server.close()
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
    return out


def med(values: list[float], fmt: str) -> str:
    return (f"{format(statistics.median(values), fmt)} "
            f"[{format(min(values), fmt)}–{format(max(values), fmt)}]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--role", default="main", help=argparse.SUPPRESS)
    ap.add_argument("--impl", default="zmq4", help=argparse.SUPPRESS)
    ap.add_argument("--secret", default="", help=argparse.SUPPRESS)
    ap.add_argument("--public", default="", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--endpoint", default="", help=argparse.SUPPRESS)
    ap.add_argument("--mechanism", choices=["curve", "null"], default="curve")
    ap.add_argument("--idle", type=int, default=2000, help="silent / greeted connections")
    ap.add_argument("--ready", type=int, default=1000, help="completed connections")
    ap.add_argument("--seconds", type=float, default=5.0, help="per attack phase")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--hostile", type=int, default=2, help="processes per attack kind")
    ap.add_argument("--good", type=int, default=4, help="good clients")
    ap.add_argument("--skip-attack", action="store_true")
    a = ap.parse_args()
    if a.role == "server":
        return role_server(a.impl, a.secret)
    if a.role == "good":
        return role_good(a.endpoint, a.public, a.seconds, a.good)
    if a.role == "moreflood":
        return role_moreflood(a.port, a.public, a.seconds)
    if a.role == "garbage":
        return role_garbage(a.port, a.seconds)
    if a.role == "replay":
        return role_replay(a.port, a.public, a.seconds)

    import zmq
    public, secret = ("", "")
    if a.mechanism == "curve":
        pub, sec = zmq.curve_keypair()
        public, secret = pub.decode(), sec.decode()
    impls = ["zmq4", "pyzmq"]
    mem: dict[str, list[dict[str, float]]] = {i: [] for i in impls}
    att: dict[str, list[dict[str, dict[str, float]]]] = {i: [] for i in impls}
    for r in range(a.rounds):
        for impl in impls if r % 2 == 0 else impls[::-1]:
            print(f"round {r + 1}: {impl} ...", file=sys.stderr, flush=True)
            mem[impl].append(memory_and_cpu(impl, public, secret, a.idle, a.ready))
            if not a.skip_attack:
                att[impl].append(under_attack(impl, public, secret, a.seconds, a.hostile,
                                              a.good))
    print(f"\nServer: ROUTER echo, {a.mechanism.upper()}; {a.idle} silent / greeted and "
          f"{a.ready} ready connections; medians of {a.rounds} alternating rounds [range]\n")
    print("| measure | zmq4 | pyzmq (libzmq) | zmq4 / pyzmq |")
    print("|---|---|---|---|")
    rows = [("RSS per silent connection (kB)", "silent_kb", ".1f"),
            ("RSS per greeted connection (kB)", "greeted_kb", ".1f"),
            ("RSS per ready connection (kB)", "ready_kb", ".1f"),
            ("server CPU per accept + handshake + echo (ms)", "accept_ms", ".3f"),
            (f"close with {a.ready} ready connections (s)", "close_s", ".3f")]
    for label, key, fmt in rows:
        z = [m[key] for m in mem["zmq4"]]
        p = [m[key] for m in mem["pyzmq"]]
        ratio = statistics.median(z) / statistics.median(p) if statistics.median(p) else 0
        print(f"| {label} | {med(z, fmt)} | {med(p, fmt)} | {ratio:.2f}x |")
    if a.skip_attack:
        return
    print(f"\nGood clients ({a.good} pyzmq DEALERs, sequential round trips, {a.seconds:g} s "
          f"per phase, {a.hostile} attacking processes per kind)\n")
    print("| phase | zmq4 p50 / p99 / max (ms), timeouts | pyzmq p50 / p99 / max (ms), "
          "timeouts | p99 zmq4 / pyzmq |")
    print("|---|---|---|---|")
    for phase in att["zmq4"][0]:
        cells = []
        for impl in impls:
            runs = [r[phase] for r in att[impl]]
            cells.append(f"{med([x['p50_ms'] for x in runs], '.2f')} / "
                         f"{med([x['p99_ms'] for x in runs], '.2f')} / "
                         f"{med([x['max_ms'] for x in runs], '.1f')}, "
                         f"{sum(int(x['timeouts']) for x in runs)}")
        zp99 = statistics.median([r[phase]["p99_ms"] for r in att["zmq4"]])
        pp99 = statistics.median([r[phase]["p99_ms"] for r in att["pyzmq"]])
        print(f"| {phase} | {cells[0]} | {cells[1]} | {zp99 / pp99:.2f}x |")


if __name__ == "__main__":
    main()
