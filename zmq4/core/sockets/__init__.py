"""One module per socket type (libzmq's pair, pub, sub, xpub, xsub, req, rep, dealer, router,
push, pull, stream); ``create`` picks the class for a ZMQ socket type number."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import constants as C

if TYPE_CHECKING:
    from ..ctx import Context
    from ..options import Options
    from ..socket_base import SocketBase


def create(ctx: Context, socket_type: int, options: Options) -> SocketBase:
    from .dealer import Dealer
    from .pair import Pair
    from .pull import Pull
    from .push import Push

    classes: dict[int, type[SocketBase]] = {
        C.PAIR: Pair,
        C.DEALER: Dealer,
        C.PUSH: Push,
        C.PULL: Pull,
    }
    try:
        from .pub import Pub
        from .rep import Rep
        from .req import Req
        from .router import Router
        from .stream import Stream
        from .sub import Sub
        from .xpub import XPub
        from .xsub import XSub
    except ImportError:
        pass
    else:
        classes.update({C.PUB: Pub, C.SUB: Sub, C.XPUB: XPub, C.XSUB: XSub, C.REQ: Req,
                        C.REP: Rep, C.ROUTER: Router, C.STREAM: Stream})
    cls = classes.get(socket_type)
    if cls is None:
        from ...errors import ZMQError

        raise ZMQError(C.EINVAL, f"socket type {socket_type} is not available in this build")
    return cls(ctx, options)
