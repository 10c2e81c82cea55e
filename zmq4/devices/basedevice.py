"""Devices that own their sockets and run a proxy in the background (pyzmq's ``Device``,
``ThreadDevice``, ``ProcessDevice``).

Owns: recording socket setup (``bind_in``/``connect_out``/``setsockopt_in``...) to replay in
the thread or process that runs the device — sockets are created where they are used, as
libzmq requires — and the run/start/join life cycle.

Rules: ``run()`` creates the sockets with ``context_factory()`` (``Context.instance`` for
foreground and thread devices, a fresh ``Context`` in a child process), runs
:meth:`Device.run_device` (a core proxy by default), treats ``ContextTerminated``/ENOTSOCK as
the normal end, and always closes the sockets it made. ``start()`` runs in the caller's
thread for ``Device``; in a daemon thread/process for the background variants. To stop a
thread device, terminate its context. Imports: the object face.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from multiprocessing import Process
from typing import Any

from .. import zmq_h as C
from ..errors import ZMQBindError, ZMQError
from ..sugar.context import Context
from ..sugar.socket import Socket
from .functions import proxy


class Device:
    """A device of ``device_type`` (``zmq4.QUEUE``...) between an in-socket of ``in_type``
    and an out-socket of ``out_type`` (``out_type < 0``: the in-socket serves both sides).
    """

    #: returns the context the device's sockets are created in (called in the device's
    #: thread or process)
    context_factory: Callable[[], Context] = Context.instance

    daemon: bool
    done: bool

    def __init__(self, device_type: int = C.QUEUE, in_type: int | None = None,
                 out_type: int | None = None) -> None:
        if in_type is None:
            raise TypeError("in_type must be specified")
        if out_type is None:
            raise TypeError("out_type must be specified")
        for name, value in (("device_type", device_type), ("in_type", in_type),
                            ("out_type", out_type)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        self.device_type = device_type
        self.in_type = in_type
        self.out_type = out_type
        self._in_binds: list[str] = []
        self._in_connects: list[str] = []
        self._in_sockopts: list[tuple[Any, Any]] = []
        self._out_binds: list[str] = []
        self._out_connects: list[str] = []
        self._out_sockopts: list[tuple[Any, Any]] = []
        self._random_addrs: list[str] = []
        self._sockets: list[Socket] = []
        self._context: Context | None = None
        self._finished = threading.Event()
        self.daemon = True
        self.done = False

    # ------------------------------------------------------------------ configuration
    def bind_in(self, addr: str) -> None:
        """Bind the in-socket to ``addr`` when the device starts."""
        self._in_binds.append(addr)

    def connect_in(self, addr: str) -> None:
        """Connect the in-socket to ``addr`` when the device starts."""
        self._in_connects.append(addr)

    def setsockopt_in(self, opt: Any, value: Any) -> None:
        """Set an option on the in-socket when the device starts (before bind/connect)."""
        self._in_sockopts.append((opt, value))

    def bind_out(self, addr: str) -> None:
        """Bind the out-socket to ``addr`` when the device starts."""
        self._out_binds.append(addr)

    def connect_out(self, addr: str) -> None:
        """Connect the out-socket to ``addr`` when the device starts."""
        self._out_connects.append(addr)

    def setsockopt_out(self, opt: Any, value: Any) -> None:
        """Set an option on the out-socket when the device starts (before bind/connect)."""
        self._out_sockopts.append((opt, value))

    def bind_in_to_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        """Reserve a random tcp port on ``addr`` for the in-socket; returns it."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_in(f"{addr}:{port}")
        return port

    def bind_out_to_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        """Reserve a random tcp port on ``addr`` for the out-socket; returns it."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_out(f"{addr}:{port}")
        return port

    def _reserve_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        with Context() as ctx, ctx.socket(C.PUSH) as binder:
            binder.linger = 0
            for _ in range(5):
                port = binder.bind_to_random_port(addr, *args, **kwargs)
                new_addr = f"{addr}:{port}"
                if new_addr not in self._random_addrs:
                    self._random_addrs.append(new_addr)
                    return port
        raise ZMQBindError("could not reserve a random port")

    # ------------------------------------------------------------------ running
    @staticmethod
    def _configure(sock: Socket, opts: list[tuple[Any, Any]], binds: list[str],
                   connects: list[str]) -> None:
        for opt, value in opts:
            sock.setsockopt(opt, value)
        for addr in binds:
            sock.bind(addr)
        for addr in connects:
            sock.connect(addr)

    def _setup_sockets(self) -> tuple[Socket, Socket]:
        ctx = self.context_factory()
        self._context = ctx
        ins = ctx.socket(self.in_type)
        self._sockets.append(ins)
        if self.out_type < 0:
            outs = ins
        else:
            outs = ctx.socket(self.out_type)
            self._sockets.append(outs)
        for opt, value in self._in_sockopts:
            ins.setsockopt(opt, value)
        for opt, value in self._out_sockopts:
            outs.setsockopt(opt, value)
        self._configure(ins, [], self._in_binds, [])
        self._configure(outs, [], self._out_binds, [])
        self._configure(ins, [], [], self._in_connects)
        self._configure(outs, [], [], self._out_connects)
        return ins, outs

    def run_device(self) -> None:
        """Create the sockets and forward between them (override for other devices)."""
        ins, outs = self._setup_sockets()
        proxy(ins, outs)

    def _close_sockets(self) -> None:
        for s in self._sockets:
            if not s.closed:
                s.close()

    def run(self) -> None:
        """Run the device in this thread until its context is terminated."""
        try:
            self.run_device()
        except ZMQError as e:
            if e.errno not in (C.ETERM, C.ENOTSOCK):
                raise
        finally:
            self.done = True
            self._close_sockets()
            self._finished.set()

    def start(self) -> None:
        """Run the device (in the caller's thread; background variants override this)."""
        self.run()

    def join(self, timeout: float | None = None) -> None:
        """Wait until the device has finished, at most ``timeout`` seconds."""
        self._finished.wait(timeout)


class BackgroundDevice(Device):
    """A device started in a background launcher (thread or process)."""

    launcher: Any = None
    _launch_class: Any = None

    def start(self) -> None:
        """Start the device in the background."""
        self.launcher = self._launch_class(target=self.run)
        self.launcher.daemon = self.daemon
        self.launcher.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background device to end, at most ``timeout`` seconds."""
        if self.launcher is not None:
            self.launcher.join(timeout=timeout)


class ThreadDevice(BackgroundDevice):
    """A device run in a daemon thread (sockets created in that thread)."""

    _launch_class = threading.Thread


class ProcessDevice(BackgroundDevice):
    """A device run in a child process, with its own context."""

    _launch_class = Process
    context_factory: Callable[[], Context] = Context


__all__ = ["BackgroundDevice", "Device", "ProcessDevice", "ThreadDevice"]
