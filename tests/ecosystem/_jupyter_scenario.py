"""A Jupyter session driven the way a front end drives one, for tests/ecosystem/test_jupyter.py.

Run under the switch (``python -m zmq4.run _jupyter_scenario.py MODE ENCRYPTION``): the
client here and the kernel it starts (a child process, which inherits ``ZMQ4_AS_ZMQ=1``)
both import ``zmq`` and get zmq4. MODE is ``sync`` (``KernelManager`` + blocking client)
or ``async`` (``AsyncKernelManager`` + ``AsyncKernelClient``); ENCRYPTION is jupyter_client's
``transport_encryption`` (``disabled``, or ``required``: CURVE on every channel). It starts
a kernel, asks it which zmq it runs on, executes code (stdout and the execute result),
answers an ``input()`` request, interrupts a running cell, restarts the kernel, runs code
in the new one and shuts it down. It prints one JSON object with what it saw; the test
asserts on it. Every wait has a deadline; nothing here decides pass or fail.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
import time
from typing import Any

import zmq
from jupyter_client import AsyncKernelManager, KernelManager

TIMEOUT = 60.0

IDENTITY = """\
import json, sys, zmq
_k = get_ipython().kernel
def _name(obj):
    return f"{type(obj).__module__}.{type(obj).__qualname__}"
print(json.dumps({
    "zmq_file": zmq.__file__,
    "zmq_is_zmq4": sys.modules["zmq"] is sys.modules.get("zmq4"),
    "zmq_version": zmq.zmq_version(),
    "curve_server": bool(_k.shell_stream.socket.curve_server),
    "shell_stream": _name(_k.shell_stream),
    "shell_socket": _name(_k.shell_stream.socket),
    "control_socket": _name(_k.control_stream.socket),
}))
"""


async def maybe(value: Any) -> Any:
    """The sync client's calls return values, the async client's awaitables."""
    return await value if inspect.isawaitable(value) else value


class Session:
    """One kernel and its client, either flavour, with the front end's operations."""

    def __init__(self, km: Any) -> None:
        self.km = km
        self.kc: Any = None

    async def start(self) -> None:
        await maybe(self.km.start_kernel())
        await self.connect()

    async def connect(self) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        await maybe(self.kc.wait_for_ready(timeout=TIMEOUT))

    async def iopub_until_idle(self, msg_id: str) -> dict[str, Any]:
        """stdout, stderr, execute results and errors of one request, up to its idle."""
        got: dict[str, Any] = {"stdout": "", "stderr": "", "results": [], "errors": []}
        deadline = time.monotonic() + TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                got["timed_out"] = True
                return got
            msg = await maybe(self.kc.get_iopub_msg(timeout=left))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                got[content["name"]] += content["text"]
            elif kind == "execute_result":
                got["results"].append(content["data"].get("text/plain"))
            elif kind == "error":
                got["errors"].append(content["ename"])
            elif kind == "status" and content["execution_state"] == "idle":
                return got

    async def shell_reply(self, msg_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            msg = await maybe(self.kc.get_shell_msg(timeout=max(deadline - time.monotonic(),
                                                                0.01)))
            if msg["parent_header"].get("msg_id") == msg_id:
                return dict(msg["content"])

    async def run(self, code: str, **kwargs: Any) -> dict[str, Any]:
        msg_id = self.kc.execute(code, **kwargs)
        out = await self.iopub_until_idle(msg_id)
        out["reply"] = (await self.shell_reply(msg_id))["status"]
        return out

    async def answer_input(self) -> dict[str, Any]:
        msg_id = self.kc.execute("answer = input('your name? ')\nprint('hello', answer)",
                                 allow_stdin=True)
        request = await maybe(self.kc.get_stdin_msg(timeout=TIMEOUT))
        self.kc.input("zmq4")
        out = await self.iopub_until_idle(msg_id)
        out["reply"] = (await self.shell_reply(msg_id))["status"]
        out["request"] = request["msg_type"]
        out["prompt"] = request["content"]["prompt"]
        return out

    async def interrupt(self) -> dict[str, Any]:
        msg_id = self.kc.execute("import time\nprint('sleeping', flush=True)\n"
                                 "time.sleep(120)\nprint('woke up')")
        deadline = time.monotonic() + TIMEOUT
        while True:  # interrupt once the cell runs (its first output)
            msg = await maybe(self.kc.get_iopub_msg(
                timeout=max(deadline - time.monotonic(), 0.01)))
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                break
        started = time.monotonic()
        await maybe(self.km.interrupt_kernel())
        reply = await self.shell_reply(msg_id)
        rest = await self.iopub_until_idle(msg_id)
        return {"status": reply["status"], "ename": reply.get("ename"),
                "seconds": time.monotonic() - started, "stdout_after": rest["stdout"]}

    async def restart(self) -> dict[str, Any]:
        before = self.km.provisioner.pid if self.km.provisioner else None
        self.kc.stop_channels()
        await maybe(self.km.restart_kernel(now=False))
        await self.connect()
        after = self.km.provisioner.pid if self.km.provisioner else None
        return {"pid_changed": before != after and after is not None}

    async def shutdown(self) -> dict[str, Any]:
        self.kc.stop_channels()
        await maybe(self.km.shutdown_kernel(now=False))
        return {"alive_after": bool(await maybe(self.km.is_alive()))}


async def scenario(mode: str, encryption: str) -> dict[str, Any]:
    t0 = time.monotonic()
    result: dict[str, Any] = {
        "client_zmq_file": zmq.__file__,
        "client_zmq_is_zmq4": sys.modules["zmq"] is sys.modules.get("zmq4"),
        "client_manager": mode,
    }
    cls = KernelManager if mode == "sync" else AsyncKernelManager
    s = Session(cls(kernel_name="python3", transport_encryption=encryption))
    await s.start()
    result["curve"] = s.km.curve_publickey is not None
    sock = s.kc.shell_channel.socket
    result["client_socket"] = f"{type(sock).__module__}.{type(sock).__qualname__}"
    result["started_s"] = time.monotonic() - t0
    try:
        ident = await s.run(IDENTITY)
        result["kernel"] = json.loads(ident["stdout"]) if ident["stdout"] else ident
        result["execute"] = await s.run("x = 6 * 7\nprint('out:', x)\nx")
        result["input"] = await s.answer_input()
        result["interrupt"] = await s.interrupt()
        result["after_interrupt"] = await s.run("x + 1")
        result["restart"] = await s.restart()
        result["after_restart"] = await s.run("print('fresh')\n'x' in globals()")
    finally:
        result["shutdown"] = await s.shutdown()
    result["total_s"] = time.monotonic() - t0
    return result


def main() -> None:
    mode, encryption = sys.argv[1], sys.argv[2]
    print(json.dumps(asyncio.run(scenario(mode, encryption))), flush=True)


if __name__ == "__main__":
    main()
