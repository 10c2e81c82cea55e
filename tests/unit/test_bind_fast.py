"""zmq4.core.sockcore.SocketCore.bind_fast: the fast path's per-message entry points
(``xsend_fn``/``xrecv_fn``) and the ``xsend``/``xrecv`` attributes always name the same
callable, as socket types bind, rebind and unbind them (PAIR does all three)."""

from __future__ import annotations

import zmq4
from zmq4 import capi
from zmq4.core.socket_base import SocketBase


def core(sock: zmq4.Socket) -> SocketBase:
    return sock._core


def test_entry_points_are_the_callables_the_methods_are_shadowed_with() -> None:
    with zmq4.Context() as ctx:
        push, pull = ctx.socket(zmq4.PUSH), ctx.socket(zmq4.PULL)
        sub, pub = ctx.socket(zmq4.SUB), ctx.socket(zmq4.PUB)
        try:
            assert core(push).xsend_fn is core(push).xsend and core(push).xrecv_fn is None
            assert core(pull).xrecv_fn is core(pull).xrecv and core(pull).xsend_fn is None
            assert core(pub).xsend_fn is core(pub).xsend
            assert core(sub).xrecv_fn is core(sub).xrecv
        finally:
            for s in (push, pull, sub, pub):
                s.close(0)


def test_pair_binds_its_pipe_and_unbinds_when_the_peer_goes() -> None:
    with zmq4.Context() as ctx:
        a, b = ctx.socket(zmq4.PAIR), ctx.socket(zmq4.PAIR)
        a.bind("inproc://bind-fast")
        b.connect("inproc://bind-fast")
        b.send(b"hello")
        assert a.recv() == b"hello"  # a has taken its pipe: both entry points bound
        ca = core(a)
        assert ca.xsend_fn is not None and ca.xsend_fn is ca.xsend
        assert ca.xrecv_fn is not None and ca.xrecv_fn is ca.xrecv
        b.close(0)
        poller = zmq4.Poller()
        poller.register(a, zmq4.POLLOUT)
        for _ in range(200):  # the pipe's end reaches a as a command
            poller.poll(10)
            if ca.xsend_fn is None:
                break
        assert ca.xsend_fn is None and ca.xrecv_fn is None
        assert "xsend" not in vars(ca) and "xrecv" not in vars(ca)
        assert capi.zmq_send(ca, b"x", 1, zmq4.DONTWAIT) == -1  # no peer: EAGAIN
        assert capi.zmq_errno() == zmq4.EAGAIN
        a.close(0)
