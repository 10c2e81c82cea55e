"""zmq4.core.pipe: a writer that found the pipe full is woken once the reader has freed
``resume_room(hwm)`` messages (half the HWM, at most 1024; libzmq's low-water mark), not
at every message read, and never later than that, whole messages counted."""

from __future__ import annotations

import pytest
from support import RecordingSink

from zmq4.core.pipe import pipepair, resume_room
from zmq4.msg import MORE, Msg


@pytest.mark.parametrize("hwm", [1, 2, 3, 4, 10, 1000, 2047, 2048, 5000])
def test_the_writer_is_woken_once_the_reader_freed_resume_room(hwm: int) -> None:
    writer_sink = RecordingSink()
    writer, reader = pipepair(writer_sink, RecordingSink(), hwm, 0)
    while writer.write(Msg(b"m")):
        pass
    assert writer.out_sleeping  # found it full: waits for activate_write
    room = resume_room(hwm)
    assert 1 <= room <= 1024 and room == min((hwm + 1) // 2, 1024)
    for _ in range(room - 1):
        assert reader.read() is not None
    assert writer_sink.commands == []  # no wake-up per message read
    assert writer.room() == room - 1  # an awake writer sees the room at once
    assert reader.read() is not None
    assert writer_sink.commands == [("activate_write", writer)]
    assert writer.room() == room


def test_frames_of_a_message_count_once() -> None:
    writer_sink = RecordingSink()
    writer, reader = pipepair(writer_sink, RecordingSink(), 4, 0)
    for _ in range(4):
        assert writer.write(Msg(b"head", MORE)) and writer.write(Msg(b"tail"))
    assert not writer.write(Msg(b"x"))
    for _ in range(3):  # one whole message and the head of the next: 1 of 2 freed
        assert reader.read() is not None
    assert writer_sink.commands == []
    assert reader.read() is not None  # the tail: the second whole message
    assert writer_sink.commands == [("activate_write", writer)]
