"""C programs on zmq4's shim against the same programs on real libzmq (issue #6).

Builds bench/c_perf.c twice, linked to zmq4's ``libzmq.so.5`` (embedded mode: each
process starts its own Python) and to the libzmq 4.3 that pyzmq bundles, then runs
libzmq's perf-tool pairs over tcp, each library talking to itself, two processes per
test: PUSH->PULL throughput and REQ/REP one-way latency. Every figure is the best of
--repeat runs, zmq4 and libzmq interleaved so load changes hit both alike.

    python bench/c_perf.py [--sizes 1,64,1024] [--count 200000] [--lat-count 5000]
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile

import zmq4

HERE = os.path.dirname(os.path.abspath(__file__))


def libzmq_from_pyzmq() -> str:
    import zmq

    site = os.path.dirname(os.path.dirname(zmq.__file__))
    found = sorted(glob.glob(os.path.join(site, "pyzmq.libs", "libzmq*.so*")))
    if not found:
        sys.exit("pyzmq's bundled libzmq was not found (pip install pyzmq)")
    return found[0]


def build(outdir: str, name: str, library: str) -> str:
    exe = os.path.join(outdir, name)
    cc = os.environ.get("CC", "cc")
    libdir = os.path.dirname(library)
    subprocess.run([cc, "-O2", "-Wall", "-Werror", f"-I{zmq4.get_include()}",
                    os.path.join(HERE, "c_perf.c"), "-o", exe, library,
                    f"-Wl,-rpath,{libdir}"], check=True)
    return exe


def pair(exe: str, local: str, remote: str, size: int, count: int) -> float:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}  # no Python in the environment
    server = subprocess.Popen([exe, local, "tcp://127.0.0.1:*", str(size), str(count)],
                              stdout=subprocess.PIPE, text=True, env=env)
    assert server.stdout is not None
    endpoint = server.stdout.readline().strip()
    client = subprocess.run([exe, remote, endpoint, str(size), str(count)],
                            capture_output=True, text=True, env=env, timeout=600, check=True)
    out, _ = server.communicate(timeout=600)
    if server.returncode:
        raise RuntimeError(f"{local} failed")
    return float((out if local == "local_thr" else client.stdout).strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1,64,1024")
    ap.add_argument("--count", type=int, default=200000)
    ap.add_argument("--lat-count", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        exes = {"zmq4": build(tmp, "c_perf_zmq4", zmq4.get_library()),
                "libzmq": build(tmp, "c_perf_libzmq", libzmq_from_pyzmq())}
        rows = []
        for kind, size, count in ([("throughput", s, args.count) for s in sizes]
                                  + [("latency us", s, args.lat_count) for s in sizes]):
            local, remote = (("local_thr", "remote_thr") if kind == "throughput"
                             else ("local_lat", "remote_lat"))
            best: dict[str, float] = {}
            for _ in range(args.repeat):
                for impl, exe in exes.items():
                    print(f"  {kind:<11} {size:>6} B x {count} via {impl} ...",
                          file=sys.stderr, flush=True)
                    v = pair(exe, local, remote, size, count)
                    keep = max if kind == "throughput" else min
                    best[impl] = keep(best.get(impl, v), v)
            rows.append((kind, size, best["zmq4"], best["libzmq"]))
    print(f"{'C program, tcp':<16}{'size':>6}{'zmq4 shim':>14}{'libzmq':>14}{'zmq4/libzmq':>13}")
    for kind, size, a, b in rows:
        print(f"{kind:<16}{size:>6}{a:>14,.1f}{b:>14,.1f}{a / b:>12.2f}x")
    print("(throughput in msg/s: higher is better; latency: lower is better)")


if __name__ == "__main__":
    main()
