"""zmq4 for gevent (pyzmq's ``zmq.green``): ``import zmq4.green as zmq``.

Everything :mod:`zmq4` has, with ``Context``, ``Socket``, ``Poller`` and ``device``
replaced by versions whose blocking calls block only the calling greenlet
(:mod:`zmq4.green.core`, :mod:`zmq4.green.poll`, :mod:`zmq4.green.device`). Needs gevent
(the ``gevent`` extra: ``pip install 'zmq4[gevent]'``).
"""

from __future__ import annotations

try:
    import gevent as _gevent  # noqa: F401
except ImportError as _e:  # pragma: no cover - depends on the environment
    raise ImportError("zmq4.green needs gevent (pip install 'zmq4[gevent]')") from _e

import zmq4 as _zmq4
from zmq4 import *  # noqa: F403

from .core import Context as Context  # type: ignore[assignment]  # the green one
from .core import Socket as Socket  # type: ignore[assignment]  # the green one
from .device import device as device  # type: ignore[assignment]  # green, never returns
from .poll import Poller as Poller

__all__: list[str] = list(_zmq4.__all__)
