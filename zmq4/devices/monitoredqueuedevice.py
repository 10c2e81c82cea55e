"""Monitored-queue devices (pyzmq's ``MonitoredQueue``, ``ThreadMonitoredQueue``,
``ProcessMonitoredQueue``): a proxy device whose forwarding is
:func:`~zmq4.devices.monitoredqueue.monitored_queue` (direction prefixes on the monitor
socket, ROUTER on both sides allowed). Imports: the object face.
"""

from __future__ import annotations

from .. import zmq_h as C
from .monitoredqueue import monitored_queue
from .proxydevice import ProcessProxy, Proxy, ProxyBase, ThreadProxy


class MonitoredQueueBase(ProxyBase):
    """A proxy device that runs ``monitored_queue`` with the given prefixes."""

    def __init__(self, in_type: int, out_type: int, mon_type: int = C.PUB,
                 in_prefix: bytes = b"in", out_prefix: bytes = b"out") -> None:
        ProxyBase.__init__(self, in_type, out_type, mon_type)
        self._in_prefix = in_prefix
        self._out_prefix = out_prefix

    def run_device(self) -> None:
        ins, outs, mons = self._setup_sockets()
        monitored_queue(ins, outs, mons, self._in_prefix, self._out_prefix)


class MonitoredQueue(MonitoredQueueBase, Proxy):
    """A monitored queue run in the caller's thread."""


class ThreadMonitoredQueue(MonitoredQueueBase, ThreadProxy):
    """A monitored queue in a daemon thread."""


class ProcessMonitoredQueue(MonitoredQueueBase, ProcessProxy):
    """A monitored queue in a child process."""


__all__ = ["MonitoredQueue", "MonitoredQueueBase", "ProcessMonitoredQueue",
           "ThreadMonitoredQueue"]
