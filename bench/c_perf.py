"""C programs on zmq4's shim against the same programs on real libzmq (issues #6, #20).

Builds bench/c_perf.c twice, linked to zmq4's ``libzmq.so.5`` (embedded mode: each
process starts its own Python) and to the libzmq 4.3 that pyzmq bundles, then runs
libzmq's perf-tool shapes, each library talking to itself: over tcp, two processes per
test (PUSH->PULL throughput, REQ/REP latency), and over inproc, two threads of one
process (inproc_thr, inproc_lat). Latency is one way (round trip / 2), as p50 and p99 of
the round trips. zmq4 and libzmq alternate within each round, so load changes hit both
alike; the table gives the median of the rounds with their range.

``--unbatched`` adds a third column in the same rounds: the same zmq4 program with
ZMQ4_SHIM_BATCH=0, i.e. every call crossing into Python as before issue #20's batching
(csrc/zmq4_fast.h): the A/B of that change on one build.

``--api msg`` runs the same tests through zmq_msg_t as libzmq's own perf tools do
(``--api buf,msg``: both).

    python bench/c_perf.py [--sizes 1,64,1024] [--count 200000] [--lat-count 5000]
                           [--rounds 3] [--transports tcp,inproc] [--unbatched]
                           [--api buf|msg|buf,msg] [--kinds throughput,latency]
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
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


def run_test(exe: str, mode: str, size: int, count: int,
             extra_env: dict[str, str] | None = None, api: str = "buf") -> list[float]:
    """One test; throughput: [msg/s]; latency: [mean, p50, p99] one way in us."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}  # no Python in the environment
    env.update(extra_env or {})
    tail = ["msg"] if api == "msg" else []
    if mode in ("inproc_thr", "inproc_lat"):
        out = subprocess.run([exe, mode, "-", str(size), str(count), *tail], capture_output=True,
                             text=True, env=env, timeout=600, check=True).stdout
        return [float(x) for x in out.split()]
    local, remote = ("local_thr", "remote_thr") if mode == "thr" else ("local_lat",
                                                                       "remote_lat")
    server = subprocess.Popen([exe, local, "tcp://127.0.0.1:*", str(size), str(count), *tail],
                              stdout=subprocess.PIPE, text=True, env=env)
    assert server.stdout is not None
    endpoint = server.stdout.readline().strip()
    client = subprocess.run([exe, remote, endpoint, str(size), str(count), *tail],
                            capture_output=True, text=True, env=env, timeout=600, check=True)
    out, _ = server.communicate(timeout=600)
    if server.returncode:
        raise RuntimeError(f"{local} failed")
    return [float(x) for x in (out if local == "local_thr" else client.stdout).split()]


def cell(values: list[float], fmt: str) -> str:
    return (f"{format(statistics.median(values), fmt)} "
            f"[{format(min(values), fmt)}–{format(max(values), fmt)}]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1,64,1024")
    ap.add_argument("--count", type=int, default=200000)
    ap.add_argument("--lat-count", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--transports", default="tcp,inproc")
    ap.add_argument("--kinds", default="throughput,latency")
    ap.add_argument("--api", default="buf",
                    help="buf (zmq_send/zmq_recv), msg (zmq_msg_t, as libzmq's perf tools) "
                         "or buf,msg")
    ap.add_argument("--unbatched", action="store_true",
                    help="also run zmq4 with ZMQ4_SHIM_BATCH=0 (the A/B of the batching)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    transports = args.transports.split(",")
    tests = []
    for api in args.api.split(","):
        for t in transports:
            thr, lat = ("thr", "lat") if t == "tcp" else ("inproc_thr", "inproc_lat")
            name = t if api == "buf" else f"{t} msg"
            if "throughput" in args.kinds:
                tests += [(name, api, "throughput", thr, s, args.count) for s in sizes]
            if "latency" in args.kinds:
                tests += [(name, api, "latency", lat, s, args.lat_count) for s in sizes]
    with tempfile.TemporaryDirectory() as tmp:
        zexe = build(tmp, "c_perf_zmq4", zmq4.get_library())
        # name -> (program, extra environment)
        exes = {"zmq4": (zexe, {}),
                "libzmq": (build(tmp, "c_perf_libzmq", libzmq_from_pyzmq()), {})}
        if args.unbatched:
            exes["unbatched"] = (zexe, {"ZMQ4_SHIM_BATCH": "0"})
        results: dict[tuple[str, str, int], dict[str, list[list[float]]]] = {}
        for r in range(args.rounds):
            order = list(exes.items()) if r % 2 == 0 else list(exes.items())[::-1]
            for transport, api, kind, mode, size, count in tests:
                for impl, (exe, extra) in order:
                    print(f"  round {r + 1}: {transport} {kind} {size} B x {count} via "
                          f"{impl} ...", file=sys.stderr, flush=True)
                    got = run_test(exe, mode, size, count, extra, api)
                    results.setdefault((transport, kind, size), {}).setdefault(
                        impl, []).append(got)
    print(f"\nC programs, zmq4's shim vs libzmq in C; medians of {args.rounds} alternating "
          "rounds [range]\n")
    ab = args.unbatched
    print("| test | size | zmq4 shim | libzmq | zmq4 / libzmq |"
          + (" unbatched | zmq4 / unbatched |" if ab else ""))
    print("|---|---|---|---|---|" + ("---|---|" if ab else ""))
    for (transport, kind, size), by in results.items():
        rows = [("throughput (msg/s)", 0, ",.0f")] if kind == "throughput" else [
            ("latency p50 (us, one way)", 1, ".1f"), ("latency p99 (us, one way)", 2, ".1f")]
        for label, i, fmt in rows:
            z = [v[i] for v in by["zmq4"]]
            lz = [v[i] for v in by["libzmq"]]
            line = (f"| {transport} {label} | {size} B | {cell(z, fmt)} | {cell(lz, fmt)} | "
                    f"{statistics.median(z) / statistics.median(lz):.2f}x |")
            if ab:
                u = [v[i] for v in by["unbatched"]]
                line += (f" {cell(u, fmt)} | "
                         f"{statistics.median(z) / statistics.median(u):.2f}x |")
            print(line)
    print("\n(throughput: higher is better; latency: lower is better)")


if __name__ == "__main__":
    main()
