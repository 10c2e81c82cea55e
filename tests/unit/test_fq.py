"""zmq4.core.fq: fair queuing reads whole messages round-robin and always terminates.

The last test is the regression for a CI stall: a device thread spun forever inside
``FQ.recv`` (holding the GIL, so no timeout could fire) when an empty pipe stayed in the
active set after another thread closed the socket under it.
"""

from __future__ import annotations

from support import RecordingSink

from zmq4.core.fq import FQ
from zmq4.core.pipe import TERMINATED, Pipe, pipepair
from zmq4.msg import MORE, Msg


def inbound(fq: FQ, sink: RecordingSink) -> Pipe:
    """A pipe whose reading end is attached to ``fq``; returns the writing end."""
    reader, writer = pipepair(sink, RecordingSink(), 0, 0)
    fq.attach(reader)
    return writer


def test_round_robin_keeps_messages_whole() -> None:
    fq, sink = FQ(), RecordingSink()
    a, b = inbound(fq, sink), inbound(fq, sink)
    a.write(Msg(b"a1", MORE))
    a.write(Msg(b"a2"))
    a.write(Msg(b"a3"))
    b.write(Msg(b"b1"))
    got = []
    while (m := fq.recv()) is not None:
        got.append(m.bytes())
    assert got in (
        [b"a1", b"a2", b"b1", b"a3"],
        [b"b1", b"a1", b"a2", b"a3"],
    )
    assert fq.arr.active == 0  # both pipes found empty and parked until activate_read


def test_empty_pipes_are_parked_and_reactivated() -> None:
    fq, sink = FQ(), RecordingSink()
    a = inbound(fq, sink)
    assert fq.recv() is None and not fq.has_in()
    assert fq.arr.active == 0
    a.write(Msg(b"x"))
    assert ("activate_read", fq.arr.pipes[0]) in sink.commands
    fq.activated(fq.arr.pipes[0])
    assert fq.has_in()
    assert fq.recv().bytes() == b"x"


def test_a_terminated_pipe_left_active_costs_an_empty_read_not_a_spin() -> None:
    fq, sink = FQ(), RecordingSink()
    inbound(fq, sink)
    inbound(fq, sink)
    for p in fq.arr.pipes:
        p.state = TERMINATED  # as a close from another thread can leave them
    assert fq.recv() is None
    assert not fq.has_in()
    assert fq.arr.active == 0


def test_an_empty_pipe_missing_from_the_index_still_ends_the_loop() -> None:
    fq, sink = FQ(), RecordingSink()
    inbound(fq, sink)
    fq.arr.pos.clear()  # an index torn by a concurrent close
    assert fq.recv() is None
    assert not fq.has_in()
