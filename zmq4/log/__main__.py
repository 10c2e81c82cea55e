"""``python -m zmq4.log URL``: print the log records a :class:`~zmq4.log.handlers.PUBHandler`
publishes (pyzmq's ``python -m zmq.log``, same options).

Each record prints as ``TOPIC | TEXT`` (``--separator`` changes the ``" | "``), with
``--timestamp`` the local time in front (``--dateformat``, strftime), with ``--align`` the
topic parts padded to the widest seen so far, with ``--color`` coloured by level (needs
the colorama package). ``--topic`` subscribes to a root topic instead of everything.
Ctrl-C (SIGINT) stops it cleanly.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from datetime import datetime

from .. import zmq_h as C
from ..context import Context

_LEVEL_COLORS = {"DEBUG": "LIGHTCYAN_EX", "INFO": "LIGHTWHITE_EX", "WARNING": "YELLOW",
                 "ERROR": "LIGHTRED_EX", "CRITICAL": "LIGHTRED_EX"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"python -m {__spec__.parent if __spec__ else 'zmq4.log'}",
                                description="Print log records published by a PUBHandler.")
    p.add_argument("zmq_pub_url", help="endpoint of the PUB socket to subscribe to")
    p.add_argument("-t", "--topic", default="",
                   help="only records whose topic starts with this (default: all)")
    p.add_argument("--timestamp", action="store_true", help="print the local time first")
    p.add_argument("--separator", default=" | ", help="between topic and text")
    p.add_argument("--dateformat", default="%Y-%d-%m %H:%M",
                   help="strftime format of --timestamp")
    p.add_argument("--align", action="store_true",
                   help="pad topic parts to the widest seen so far")
    p.add_argument("--color", action="store_true",
                   help="colour by level (needs colorama)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    colors: dict[str, str] = {}
    reset = ""
    if args.color:
        try:
            import colorama
        except ImportError:
            print("--color needs the colorama package", file=sys.stderr)
            return 2
        colorama.init()
        colors = {level: getattr(colorama.Fore, name) for level, name in _LEVEL_COLORS.items()}
        reset = colorama.Fore.RESET
    widths: list[int] = []
    # Ctrl-C ends the watcher even when it was started with SIGINT ignored (a parent that
    # ignores it passes that on).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ctx = Context()
    sub = ctx.socket(C.SUB)
    sub.linger = 0
    sub.subscribe(args.topic.encode("utf-8"))
    sub.connect(args.zmq_pub_url)
    try:
        while True:
            frames = sub.recv_multipart()
            if len(frames) != 2:
                continue  # not a PUBHandler record
            topic = frames[0].decode("utf-8", "replace").strip()
            text = frames[1].decode("utf-8", "replace").strip()
            parts = topic.split(".")
            level = parts[1] if len(parts) > 1 else parts[0]
            if args.align:  # pad to the widest seen, missing trailing parts as blanks
                parts.extend(" " for _ in range(len(parts), len(widths)))
                widths.extend(0 for _ in range(len(widths), len(parts)))
                for i, part in enumerate(parts):
                    widths[i] = max(widths[i], len(part))
                topic = ".".join(part.ljust(widths[i]) for i, part in enumerate(parts))
            stamp = datetime.now().strftime(args.dateformat) + " " if args.timestamp else ""
            color = colors.get(level, "")
            print(f"{stamp}{color}{topic}{args.separator}{text}{reset if color else ''}",
                  flush=True)
    except KeyboardInterrupt:
        return 0
    finally:
        sub.close()
        ctx.term()


if __name__ == "__main__":
    sys.exit(main())
