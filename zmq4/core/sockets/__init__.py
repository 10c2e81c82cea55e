"""One module per socket type (libzmq's pair, pub, sub, xpub, xsub, req, rep, dealer, router,
push, pull, stream); ``create`` picks the class for a ZMQ socket type number."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ... import zmq_h as C

if TYPE_CHECKING:
    from ..ctx import Context
    from ..options import Options
    from ..socket_base import SocketBase


_MODULES = {
    C.PAIR: (".pair", "Pair"), C.PUB: (".pub", "Pub"), C.SUB: (".sub", "Sub"),
    C.REQ: (".req", "Req"), C.REP: (".rep", "Rep"), C.DEALER: (".dealer", "Dealer"),
    C.ROUTER: (".router", "Router"), C.PULL: (".pull", "Pull"), C.PUSH: (".push", "Push"),
    C.XPUB: (".xpub", "XPub"), C.XSUB: (".xsub", "XSub"), C.STREAM: (".stream", "Stream"),
}


def create(ctx: Context, socket_type: int, options: Options) -> SocketBase:
    # only the requested type's module is imported, so a type still being written does
    # not hide the others
    entry = _MODULES.get(socket_type)
    cls = None
    if entry is not None:
        try:
            cls = getattr(importlib.import_module(entry[0], __name__), entry[1])
        except ModuleNotFoundError as e:
            if e.name != __name__ + entry[0]:
                raise  # the module exists but is broken: say so
            cls = None
    if cls is None:
        from ...errors import ZMQError

        raise ZMQError(C.EINVAL, f"socket type {socket_type} is not available in this build")
    return cls(ctx, options)  # type: ignore[no-any-return]
