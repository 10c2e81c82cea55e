"""A signal whose C handler ran on another thread while the main thread waits in a
blocking recv still raises in the main thread promptly (zmq4/core/mailbox.pyx: the main
thread's waits are sliced). Without the slices the wait ended only with the next message
or the timeout: Ctrl-C arriving just before a recv started was lost until then."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap

SCRIPT = textwrap.dedent("""
    import os, signal, threading, time
    import zmq4
    signal.signal(signal.SIGINT, signal.default_int_handler)  # whatever the parent left
    ctx = zmq4.Context()
    pull = ctx.socket(zmq4.PULL)
    pull.rcvtimeo = 20000
    pull.bind("inproc://wait")
    # SIGINT blocked here: the kernel hands it to the helper thread, whose C-level handler
    # only marks it pending; nothing interrupts the main thread's poll.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    def kill_soon():
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGINT)
    helper = threading.Thread(target=kill_soon)
    helper.start()  # created after the mask was set: it inherits it, so unblock it there
    t0 = time.monotonic()
    try:
        pull.recv()
        print("received")
    except KeyboardInterrupt:
        print(f"interrupted {time.monotonic() - t0:.2f}")
    except zmq4.Again:
        print(f"timed out {time.monotonic() - t0:.2f}")
    helper.join()
    pull.close(linger=0)
    ctx.term()
""")


def test_sigint_handled_on_another_thread_ends_the_main_threads_recv() -> None:
    script = SCRIPT.replace(
        "def kill_soon():\n",
        "def kill_soon():\n    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=tempfile.gettempdir())
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("interrupted "), out.stdout + out.stderr
    seconds = float(out.stdout.split()[-1])
    assert seconds < 10, out.stdout  # the slice is 0.25 s; generous for a loaded box
