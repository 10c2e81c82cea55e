"""A peer that hangs up must cost one connection (EPIPE), never SIGPIPE for the process.

Python ignores SIGPIPE at startup, which hides the bug; a C program using the shim may not.
The child below restores the default action, then floods a zmq4 PUSH connected over ipc
to a raw listener that sends a ZMTP 3.0 NULL greeting and READY as a PULL, reads zmq4's signature
and stops reading (SHUT_RD), so zmq4's next write fails with EPIPE; it reconnects each
time."""

from __future__ import annotations

import subprocess
import sys
import tempfile

CHILD = r"""
import os, signal, socket, sys, threading, time
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
import zmq4

path = os.path.join(sys.argv[1], "peer.sock")
listener = socket.socket(socket.AF_UNIX)
listener.bind(path)
listener.listen(64)
accepted = 0

GREETING = (b"\xff" + (1).to_bytes(8, "big") + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\0")
            + b"\x00" + b"\0" * 31)
READY_BODY = b"\x05READY" + b"\x0bSocket-Type" + (4).to_bytes(4, "big") + b"PULL"
READY = b"\x04" + bytes([len(READY_BODY)]) + READY_BODY

def handshake_then_stop_reading():
    global accepted
    while True:
        conn, _ = listener.accept()
        accepted += 1
        try:
            conn.sendall(GREETING + READY)
            conn.recv(10)  # zmq4's signature: the rest of its greeting comes after ours
            # stop reading but stay connected: zmq4 sees no EOF, and its next write to a
            # unix socket whose peer shut down reading fails with EPIPE
            conn.shutdown(socket.SHUT_RD)
            time.sleep(0.05)
        except OSError:
            pass
        conn.close()

threading.Thread(target=handshake_then_stop_reading, daemon=True).start()
ctx = zmq4.Context()
push = ctx.socket(zmq4.PUSH)
push.reconnect_ivl = 5
push.reconnect_ivl_max = 5
push.linger = 0
push.connect("ipc://" + path)
deadline = time.monotonic() + 20
while accepted < 30 and time.monotonic() < deadline:
    try:
        push.send(b"x" * 1000, zmq4.DONTWAIT)
    except zmq4.Again:
        time.sleep(0.001)
ctx.destroy(linger=0)
print("accepted", accepted)
"""


def test_writes_to_a_hung_up_peer_do_not_raise_sigpipe() -> None:
    with tempfile.TemporaryDirectory() as cwd:  # outside the source tree: installed zmq4
        r = subprocess.run([sys.executable, "-c", CHILD, cwd], capture_output=True,
                           text=True, timeout=60, cwd=cwd)
    assert r.returncode == 0, f"exit {r.returncode} (-13 is SIGPIPE)\n{r.stderr}"
    assert int(r.stdout.split()[-1]) >= 30
