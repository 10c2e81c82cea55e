"""Pipe.write_messages / read_messages: the batch calls sessions use on the hot path keep
the rules of write/read (HWM in whole messages, one wake-up on empty -> non-empty,
multipart atomicity, CONFLATE keeping one frame, unfinished messages carried over)."""

from __future__ import annotations

from support import RecordingSink

from zmq4.core.pipe import Pipe, pipepair
from zmq4.msg import MORE


def frames(pipe: Pipe) -> list[tuple[bytes, bool]]:
    out = []
    while (m := pipe.read()) is not None:
        out.append((m.bytes(), bool(m.flags & MORE)))
    return out


def test_write_messages_stops_at_the_hwm_and_wakes_once() -> None:
    reader_sink = RecordingSink()
    session_end, socket_end = pipepair(RecordingSink(), reader_sink, 3, 0)
    assert socket_end.read() is None  # the reader sleeps now
    msgs = [[b"a"], [b"b1", b"b2"], [b"c"], [b"d"], [b"e"]]
    assert session_end.write_messages(msgs, 0) == 3
    assert reader_sink.commands == [("activate_read", socket_end)]
    assert frames(socket_end) == [(b"a", False), (b"b1", True), (b"b2", False), (b"c", False)]
    assert session_end.write_messages(msgs, 3) == 2  # room again after the reads
    assert frames(socket_end) == [(b"d", False), (b"e", False)]


def test_write_messages_on_an_ended_pipe_writes_nothing() -> None:
    a, b = pipepair(RecordingSink(), RecordingSink(), 0, 0)
    b.terminate(True)
    a.process_term()
    assert a.write_messages([[b"x"]], 0) == 0


def test_conflate_keeps_the_last_frame_of_the_newest_message() -> None:
    a, b = pipepair(RecordingSink(), RecordingSink(), 0, 0, conflate_b=True)
    assert a.write_messages([[b"old"], [b"p1", b"p2", b"newest"]], 0) == 2
    assert frames(b) == [(b"newest", False)]


def test_read_messages_returns_whole_messages_and_carries_a_partial_one() -> None:
    a, b = pipepair(RecordingSink(), RecordingSink(), 0, 0)
    a.write_messages([[b"1"], [b"2a", b"2b"], [b"3"]], 0)
    batch, parts = b.read_messages([], 2)
    assert [[bytes(p) for p in m] for m in batch] == [[b"1"], [b"2a", b"2b"]]
    assert parts == []
    assert type(batch[0]) is tuple  # a single frame: a one-tuple, no list to grow
    batch, parts = b.read_messages([b"earlier"], 10)  # continue an unfinished message
    assert [[bytes(p) for p in m] for m in batch] == [[b"earlier", b"3"]]
    assert b.read_messages([], 10) == ([], [])


def test_read_messages_stops_once_max_bytes_is_reached_and_says_why() -> None:
    a, b = pipepair(RecordingSink(), RecordingSink(), 0, 0)
    a.write_messages([[b"x" * 400], [b"y" * 300, b"z" * 300], [b"w" * 10], [b"v"]], 0)
    batch, parts = b.read_messages([], 100, None, 500)  # the message reaching it is in
    assert [[len(p) for p in m] for m in batch] == [[400], [300, 300]]
    assert parts == [] and not b.ran_dry  # stopped at the byte limit, not for lack of data
    batch, parts = b.read_messages([], 1)
    assert len(batch) == 1 and not b.ran_dry  # stopped at the count
    batch, parts = b.read_messages([], 100, None, 500)
    assert [[bytes(p) for p in m] for m in batch] == [[b"v"]] and b.ran_dry
    assert b.read_messages([], 100) == ([], []) and b.ran_dry


def test_read_messages_reaching_the_delimiter_ends_the_pipe() -> None:
    sink = RecordingSink()
    a, b = pipepair(RecordingSink(), sink, 0, 0)
    a.write_messages([[b"last"]], 0)
    a.terminate(True)
    batch, _ = b.read_messages([], 10)
    assert [[bytes(p) for p in m] for m in batch] == [[b"last"]]
    assert sink.ended == [b]


def test_hot_path_frames_stay_off_the_cycle_collector_and_cycles_still_collect() -> None:
    """msg.untrack: frames of bytes and the batch lists are not GC-tracked (they cannot be
    in a cycle), while a frame over any other payload stays tracked, so a cycle through
    it (a buffer object that keeps the frame made from it) is still collected."""
    import gc
    import weakref

    import zmq4
    from zmq4.msg import Msg, PayloadOwner, frame

    a, b = pipepair(RecordingSink(), RecordingSink(), 0, 0)
    a.write_messages([[b"x"], [b"y1", b"y2"]], 0)
    while (m := b.read()) is not None:
        assert not gc.is_tracked(m)
    b.write(frame(b"z"))  # a whole frame (no MORE) is visible to the reader at once
    b.write(frame(b"m1", 1))
    b.write(frame(b"m2"))
    batch, parts = a.read_messages([], 10)
    assert [list(m) for m in batch] == [[b"z"], [b"m1", b"m2"]]
    assert not gc.is_tracked(batch[0]) and not gc.is_tracked(batch[1])
    assert not gc.is_tracked(frame(b"plain"))
    assert gc.is_tracked(frame(bytearray(b"mutable")))
    # the constructor and copy (a PUB's frame for each subscriber) follow the same rule
    owner = PayloadOwner(lambda: None)
    assert not gc.is_tracked(Msg(b"plain")) and not gc.is_tracked(Msg(b"plain").copy())
    assert gc.is_tracked(Msg(b"owned", 0, owner)) and gc.is_tracked(Msg(b"o", 0, owner).copy())
    assert gc.is_tracked(Msg(bytearray(b"m"))) and gc.is_tracked(Msg(bytearray(b"m")).copy())

    class Buffer(bytearray):
        frame: object = None

    buf = Buffer(b"payload")
    buf.frame = zmq4.Frame(buf)  # Frame -> its Msg -> the buffer -> the Frame
    gone = weakref.ref(buf)
    del buf
    gc.collect()
    assert gone() is None
