"""``python -m zmq4.curve_keygen``: print a new CURVE key pair (pyzmq's ``zmq.curve_keygen``).

Z85 text, in libzmq's ``curve_keygen`` layout::

    == CURVE PUBLIC KEY ==
    <40 characters>

    == CURVE SECRET KEY ==
    <40 characters>

``--json`` prints ``{"public": ..., "secret": ...}`` instead; ``--secret KEY`` derives the
public key of an existing Z85 secret key rather than making a new pair.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .certs import curve_keypair, curve_public
from .errors import ZMQError


def _joined_secret(argv: Sequence[str]) -> list[str]:
    """``--secret KEY`` as ``--secret=KEY``: a Z85 key may start with ``-``, which argparse
    would otherwise take for an option."""
    out: list[str] = []
    it = iter(argv)
    for arg in it:
        if arg == "--secret":
            nxt = next(it, None)
            out.append(arg if nxt is None else f"--secret={nxt}")
        else:
            out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    name = __spec__.name if __spec__ is not None and __spec__.name != "__main__" \
        else "zmq4.curve_keygen"
    parser = argparse.ArgumentParser(
        prog=f"python3 -m {name}",
        description="Generate a CURVE key pair (Z85-encoded public and secret keys).")
    parser.add_argument("--json", action="store_true",
                        help="print the keys as a JSON object {public, secret}")
    parser.add_argument("--secret", help="derive the public key of this Z85 secret key "
                                         "instead of generating a new pair")
    args = parser.parse_args(_joined_secret(sys.argv[1:] if argv is None else argv))
    if args.secret is not None:
        secret = args.secret
        try:
            public = curve_public(secret.encode("ascii")).decode("ascii")
        except (ZMQError, ValueError, UnicodeEncodeError) as e:
            parser.error(f"--secret: not a Z85 CURVE secret key ({e})")
    else:
        public_b, secret_b = curve_keypair()
        public, secret = public_b.decode("ascii"), secret_b.decode("ascii")
    if args.json:
        json.dump({"public": public, "secret": secret}, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
    else:
        print("== CURVE PUBLIC KEY ==")
        print(public)
        print()
        print("== CURVE SECRET KEY ==")
        print(secret)
    return 0


if __name__ == "__main__":
    sys.exit(main())
