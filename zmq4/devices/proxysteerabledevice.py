"""Steerable proxy devices (pyzmq's ``zmq.devices.proxysteerabledevice``): a proxy device
plus a control socket taking PAUSE, RESUME and TERMINATE (``ProxySteerable``,
``ThreadProxySteerable``, ``ProcessProxySteerable``).

Rules: as :mod:`zmq4.devices.proxydevice`; the control (``ctrl``) socket is configured with
``bind_ctrl``/``connect_ctrl``/``setsockopt_ctrl``, and forwarding is the core proxy
(:func:`zmq4.proxy_steerable`). Imports: the object face and the backend's proxy.
"""

from __future__ import annotations

from typing import Any

from .. import zmq_h as C
from ..backend.devices import proxy_steerable
from ..sugar.socket import Socket
from .basedevice import ProcessDevice, ThreadDevice
from .proxydevice import ProxyBase


class ProxySteerableBase(ProxyBase):
    """A proxy device with a control socket (``ctrl_type``, PAIR by default) taking
    PAUSE, RESUME and TERMINATE."""

    def __init__(self, in_type: int, out_type: int, mon_type: int = C.PUB,
                 ctrl_type: int | None = None) -> None:
        ProxyBase.__init__(self, in_type, out_type, mon_type)
        self.ctrl_type = C.PAIR if ctrl_type is None else ctrl_type
        self._ctrl_binds: list[str] = []
        self._ctrl_connects: list[str] = []
        self._ctrl_sockopts: list[tuple[Any, Any]] = []

    def bind_ctrl(self, addr: str) -> None:
        """Bind the control socket to ``addr`` when the device starts."""
        self._ctrl_binds.append(addr)

    def connect_ctrl(self, addr: str) -> None:
        """Connect the control socket to ``addr`` when the device starts."""
        self._ctrl_connects.append(addr)

    def setsockopt_ctrl(self, opt: Any, value: Any) -> None:
        """Set an option on the control socket when the device starts."""
        self._ctrl_sockopts.append((opt, value))

    def bind_ctrl_to_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        """Reserve a random tcp port on ``addr`` for the control socket; returns it."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_ctrl(f"{addr}:{port}")
        return port

    def _setup_sockets(self) -> tuple[Socket, Socket, Socket, Socket]:  # type: ignore[override]
        ins, outs, mons = ProxyBase._setup_sockets(self)
        assert self._context is not None
        ctrl = self._context.socket(self.ctrl_type)
        self._sockets.append(ctrl)
        self._configure(ctrl, self._ctrl_sockopts, self._ctrl_binds, self._ctrl_connects)
        return ins, outs, mons, ctrl

    def run_device(self) -> None:
        ins, outs, mons, ctrl = self._setup_sockets()
        proxy_steerable(ins, outs, mons, ctrl)


class ProxySteerable(ProxySteerableBase):
    """A steerable proxy run in the caller's thread."""


class ThreadProxySteerable(ProxySteerableBase, ThreadDevice):
    """A steerable proxy in a daemon thread."""


class ProcessProxySteerable(ProxySteerableBase, ProcessDevice):
    """A steerable proxy in a child process."""


__all__ = ["ProcessProxySteerable", "ProxySteerable", "ProxySteerableBase",
           "ThreadProxySteerable"]
