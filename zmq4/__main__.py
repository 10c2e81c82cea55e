"""Command line: ``python -m zmq4 COMMAND``.

Commands:
  keygen [DIR [NAME]]   print a new CURVE key pair in Z85 (like libzmq's curve_keygen);
                        with DIR, also write NAME.key / NAME.key_secret certificates there
                        (pyzmq-compatible format; NAME defaults to "zmq4")
  perf [options]        throughput (PUSH->PULL) and latency (REQ/REP) over tcp or ipc, with
                        a pyzmq (real libzmq) column when pyzmq is installed
  version               print the libzmq version implemented and zmq4's own version
  config [--cflags] [--libs] [--include-dir] [--library]
                        what a C build against the shim needs, pkg-config style:
                        cc prog.c $(python -m zmq4 config --cflags --libs)
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence


def _keygen(args: argparse.Namespace) -> int:
    from .certs import create_certificates, curve_keypair, load_certificate

    if args.dir:
        os.makedirs(args.dir, exist_ok=True)
        pub_path, sec_path = create_certificates(args.dir, args.name)
        public, secret = load_certificate(sec_path)
        assert secret is not None
        print(f"wrote {pub_path}")
        print(f"wrote {sec_path}")
    else:
        public, secret = curve_keypair()
    print("== CURVE PUBLIC KEY ==")
    print(public.decode("ascii"))
    print("== CURVE SECRET KEY ==")
    print(secret.decode("ascii"))
    return 0


def _perf(args: argparse.Namespace) -> int:
    from . import perf

    return perf.run(args)


def _version(args: argparse.Namespace) -> int:
    from . import __version__, zmq_version

    print(f"zmq4 {__version__} (libzmq {zmq_version()} API and wire protocol)")
    return 0


def _config(args: argparse.Namespace) -> int:
    from . import _paths

    out: list[str] = []
    if args.cflags:
        out += _paths.cflags()
    if args.libs:
        out += _paths.libs()
    if args.include_dir:
        out.append(_paths.get_include())
    if args.library:
        out.append(_paths.get_library())
    if not out:
        print(f"include dir: {_paths.get_include()}")
        print(f"library:     {_paths.get_library()}")
        alias = os.path.join(os.path.dirname(_paths.get_library()), "libzmq.so.4")
        if os.path.exists(alias):
            print(f"4.0 name:    {alias} (for binaries linked against libzmq 4.0)")
        print(f"cflags:      {' '.join(_paths.cflags())}")
        print(f"libs:        {' '.join(_paths.libs())}")
        return 0
    print(" ".join(out))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zmq4", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    kg = sub.add_parser("keygen", help="generate a CURVE key pair")
    kg.add_argument("dir", nargs="?", help="write certificate files into this directory")
    kg.add_argument("name", nargs="?", default="zmq4", help="certificate base name")
    kg.set_defaults(func=_keygen)
    pf = sub.add_parser("perf", help="throughput and latency, side by side with pyzmq")
    from .perf import add_arguments

    add_arguments(pf)
    pf.set_defaults(func=_perf)
    ver = sub.add_parser("version", help="print versions")
    ver.set_defaults(func=_version)
    cfg = sub.add_parser("config", help="compiler and linker flags for C programs")
    cfg.add_argument("--cflags", action="store_true", help="-I flag for zmq.h")
    cfg.add_argument("--libs", action="store_true", help="-L/-l/rpath flags for libzmq.so.5")
    cfg.add_argument("--include-dir", action="store_true", help="the include directory")
    cfg.add_argument("--library", action="store_true", help="the shim library's path")
    cfg.set_defaults(func=_config)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # the reader went away (`zmq4 keygen | head -1`): stop quietly, as Unix tools do;
        # stdout goes to /dev/null so the interpreter's final flush cannot fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
