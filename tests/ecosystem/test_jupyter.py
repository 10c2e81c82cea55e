"""Jupyter on zmq4, unmodified: jupyter_client and an ipykernel kernel, both through the
switch (``python -m zmq4.run``; the kernel is a child process and inherits
``ZMQ4_AS_ZMQ=1``).

Each case runs ``_jupyter_scenario.py`` under the switch — a front end's session: start a
kernel, execute code (stdout and the execute result), answer an ``input()``, interrupt a
running cell, restart, run again, shut down — with ``KernelManager`` and with
``AsyncKernelManager``, and once with CURVE transport encryption on every channel. The
client must run on zmq4 (``sys.modules["zmq"] is sys.modules["zmq4"]``, its sockets are
zmq4's) and so must the kernel (it reports the same from inside, and its streams are
zmq4's ``ZMQStream`` over ``zmq4.Socket`` objects, implementing libzmq 4.0.10).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import zmq4

SCENARIO = Path(__file__).with_name("_jupyter_scenario.py")
pytestmark = pytest.mark.slow


def run_scenario(mode: str, encryption: str) -> dict[str, Any]:
    env = dict(os.environ)
    # the zmq4 this test imports, for the client and (inherited) the kernel
    root = str(Path(zmq4.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    env.pop("ZMQ4_AS_ZMQ", None)  # zmq4.run turns it on; nothing else does
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "zmq4.run", str(SCENARIO), mode, encryption],
        capture_output=True, text=True, timeout=240, env=env, cwd=str(SCENARIO.parent))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def check_session(r: dict[str, Any], async_client: bool) -> None:
    import zmq4.asyncio
    from zmq4.eventloop.zmqstream import ZMQStream

    # the client process runs on zmq4
    assert r["client_zmq_is_zmq4"], r["client_zmq_file"]
    assert r["client_socket"] == qualname(zmq4.asyncio.Socket if async_client
                                          else zmq4.Socket)
    # and so does the kernel
    kernel = r["kernel"]
    assert kernel["zmq_is_zmq4"] and kernel["zmq_version"] == "4.0.10", kernel
    assert kernel["zmq_file"] == r["client_zmq_file"]
    assert kernel["shell_stream"] == qualname(ZMQStream)
    assert kernel["shell_socket"] == kernel["control_socket"] == qualname(zmq4.Socket)
    # execute: stdout and the result
    assert r["execute"] == {"stdout": "out: 42\n", "stderr": "", "results": ["42"],
                            "errors": [], "reply": "ok"}
    # input(): the request reaches the client, the answer reaches the kernel
    assert r["input"]["request"] == "input_request"
    assert r["input"]["prompt"] == "your name? "
    assert r["input"]["stdout"] == "hello zmq4\n" and r["input"]["reply"] == "ok"
    # interrupt: the sleeping cell ends with KeyboardInterrupt, long before it would wake
    assert r["interrupt"]["status"] == "error"
    assert r["interrupt"]["ename"] == "KeyboardInterrupt"
    assert r["interrupt"]["seconds"] < 60 and "woke up" not in r["interrupt"]["stdout_after"]
    assert r["after_interrupt"]["results"] == ["43"]  # same kernel, state kept
    # restart: a new process without the old state
    assert r["restart"]["pid_changed"]
    assert r["after_restart"]["stdout"] == "fresh\n"
    assert r["after_restart"]["results"] == ["False"]
    # shutdown
    assert r["shutdown"] == {"alive_after": False}


def test_kernel_manager_and_blocking_client() -> None:
    r = run_scenario("sync", "disabled")
    check_session(r, async_client=False)
    assert not r["curve"] and not r["kernel"]["curve_server"]


def test_async_kernel_manager_and_async_client() -> None:
    r = run_scenario("async", "disabled")
    check_session(r, async_client=True)


def test_curve_transport_encryption() -> None:
    """jupyter_client's transport_encryption='required': the manager provisions CURVE keys,
    the kernel's sockets are CURVE servers and the client's are CURVE clients."""
    r = run_scenario("sync", "required")
    check_session(r, async_client=False)
    assert r["curve"] and r["kernel"]["curve_server"]
