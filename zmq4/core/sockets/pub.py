"""PUB (libzmq pub_t), RFC 29: an XPUB whose application never receives anything.

Owns nothing of its own: sending, matching and subscription bookkeeping are XPUB's
(``xpub.py``). Differences from XPUB:

- ``recv`` is ENOTSUP and PUB never reports POLLIN (RFC 29: PUB "SHALL only send
  messages").
- Subscriptions update the table but are not queued for the application (RFC 29: "SHALL
  NOT deliver these commands to its calling application"), nor are the unsubscribes
  synthesised when a subscriber goes.
- Upstream user messages from XSUB peers are dropped as they are read (RFC 29: "SHALL
  silently discard any messages that subscribers send it"). **Deviation from 4.0**, which
  queues them internally and never frees them (spec §3.2 [quirk], §8.21).
- ZMQ_XPUB_VERBOSE is accepted (4.0 does) and has no effect.
"""

from __future__ import annotations

from ... import zmq_h as C
from ...errors import ZMQError
from ...msg import Msg
from .xpub import XPub


class Pub(XPub):
    """libzmq pub_t."""

    TYPE = C.PUB
    NAME = "PUB"
    CAN_RECV = False

    def _deliver(self, frames: list[Msg]) -> None:
        pass  # RFC 29: nothing reaches a PUB application; frames are released here

    def xrecv(self) -> Msg | None:
        raise ZMQError(C.ENOTSUP, "recv is not supported on PUB sockets")

    def xhas_in(self) -> bool:
        return False
