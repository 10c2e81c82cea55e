"""Command line: ``python -m zmq4 COMMAND``.

Commands:
  keygen [DIR [NAME]]   print a new CURVE key pair in Z85 (like libzmq's curve_keygen);
                        with DIR, also write NAME.key / NAME.key_secret certificates there
                        (pyzmq-compatible format; NAME defaults to "zmq4")
  version               print the libzmq version implemented and zmq4's own version
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


def _version(args: argparse.Namespace) -> int:
    from . import __version__, zmq_version

    print(f"zmq4 {__version__} (libzmq {zmq_version()} API and wire protocol)")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zmq4", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    kg = sub.add_parser("keygen", help="generate a CURVE key pair")
    kg.add_argument("dir", nargs="?", help="write certificate files into this directory")
    kg.add_argument("name", nargs="?", default="zmq4", help="certificate base name")
    kg.set_defaults(func=_keygen)
    ver = sub.add_parser("version", help="print versions")
    ver.set_defaults(func=_version)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
