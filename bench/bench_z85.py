"""Z85 throughput: zmq4.z85 (compiled) vs pyzmq's zmq.utils.z85, side by side in one run.

    python bench/bench_z85.py
"""

from __future__ import annotations

import os
import timeit

import zmq.utils.z85 as pyzmq_z85

import zmq4.z85 as zmq4_z85


def best(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def main() -> None:
    print(f"{'case':<22}{'zmq4':>14}{'pyzmq':>14}{'ratio':>10}")
    for label, size, number in (("32 B key", 32, 20000), ("1 MB buffer", 1 << 20, 3)):
        data = os.urandom(size)
        text = zmq4_z85.encode(data)
        for op, a, b in (
            ("encode", lambda: zmq4_z85.encode(data), lambda: pyzmq_z85.encode(data)),
            ("decode", lambda: zmq4_z85.decode(text), lambda: pyzmq_z85.decode(text)),
        ):
            ta, tb = best(a, number), best(b, number)
            if size == 32:
                va, vb = f"{ta * 1e6:.2f} us", f"{tb * 1e6:.2f} us"
            else:
                va, vb = f"{size / ta / 1e6:.0f} MB/s", f"{size / tb / 1e6:.1f} MB/s"
            print(f"{label + ' ' + op:<22}{va:>14}{vb:>14}{tb / ta:>9.1f}x")


if __name__ == "__main__":
    main()
