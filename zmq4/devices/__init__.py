"""Devices: background proxies and queues that own their sockets (pyzmq's ``zmq.devices``).

``Device``/``ThreadDevice``/``ProcessDevice`` run a proxy between two sockets they create;
``Proxy``/``ThreadProxy``/``ProcessProxy`` add a monitor socket; the ``ProxySteerable``
family a control socket; ``MonitoredQueue`` & co. prefix monitor copies and allow ROUTER on
both sides. ``proxy``/``proxy_steerable``/``device``/``monitored_queue`` are the functions
the devices run (forwarding is the core proxy, :mod:`zmq4.core.proxy`).
"""

from __future__ import annotations

from .basedevice import BackgroundDevice, Device, ProcessDevice, ThreadDevice
from .functions import device, proxy, proxy_steerable
from .monitoredqueue import monitored_queue
from .monitoredqueuedevice import (
    MonitoredQueue,
    MonitoredQueueBase,
    ProcessMonitoredQueue,
    ThreadMonitoredQueue,
)
from .proxydevice import ProcessProxy, Proxy, ProxyBase, ThreadProxy
from .proxysteerabledevice import (
    ProcessProxySteerable,
    ProxySteerable,
    ProxySteerableBase,
    ThreadProxySteerable,
)

__all__ = [
    "BackgroundDevice", "Device", "MonitoredQueue", "MonitoredQueueBase", "ProcessDevice",
    "ProcessMonitoredQueue", "ProcessProxy", "ProcessProxySteerable", "Proxy", "ProxyBase",
    "ProxySteerable", "ProxySteerableBase", "ThreadDevice", "ThreadMonitoredQueue",
    "ThreadProxy", "ThreadProxySteerable", "device", "monitored_queue", "proxy",
    "proxy_steerable",
]
