"""zmq4.core.dist: fan-out never blocks; a pipe without room is skipped for whole
messages; the GIL hand-offs that let a full pipe's reader run stay bounded when that
reader does not read (a stopped subscriber costs a few, not a share of the sender)."""

from __future__ import annotations

import pytest
from support import RecordingSink

from zmq4.core import dist as dist_module
from zmq4.core.dist import Dist
from zmq4.core.pipe import Pipe, pipepair
from zmq4.msg import MORE, Msg

HWM = 10


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the sender's GIL hand-offs instead of sleeping."""
    calls: list[int] = []
    monkeypatch.setattr(dist_module, "_hand_off", lambda: calls.append(1))
    return calls


def outbound(d: Dist) -> tuple[Pipe, Pipe]:
    """A pipe whose writing end is attached to ``d``: (writing end, reading end)."""
    writer, reader = pipepair(RecordingSink(), RecordingSink(), HWM, HWM)
    d.attach(writer)
    return writer, reader


def drain(reader: Pipe) -> list[bytes]:
    got = []
    while (m := reader.read()) is not None:
        got.append(m.bytes())
    return got


def publish(d: Dist, subscribers: list[Pipe], *parts: bytes) -> None:
    """One message sent as a PUB does: every subscriber's pipe matched, then the frames."""
    for pipe in subscribers:
        d.match(pipe)
    for i, part in enumerate(parts):
        d.send_to_matching(Msg(part, MORE if i + 1 < len(parts) else 0))


def test_a_reader_that_never_reads_costs_a_bounded_number_of_hand_offs(
        hand_offs: list[int]) -> None:
    d = Dist()
    writer, reader = outbound(d)
    for i in range(20 * dist_module.HANDOFF_SKIPS):
        publish(d, [writer], b"%d" % i)  # never blocks, never raises
    # one when the pipe filled, repeats while it stays full, then none however long
    assert len(hand_offs) == dist_module.HANDOFF_RETRIES
    assert drain(reader) == [b"%d" % i for i in range(HWM)]


def test_hand_offs_resume_once_the_pipe_regains_room(hand_offs: list[int]) -> None:
    d = Dist()
    writer, reader = outbound(d)
    sent = 0
    for _ in range(2):
        # HWM fit, the next one fills the pipe, then 2 * HANDOFF_SKIPS are skipped
        for _ in range(HWM + 1 + 2 * dist_module.HANDOFF_SKIPS):
            publish(d, [writer], b"%d" % sent)
            sent += 1
        assert len(drain(reader)) == HWM
        d.activated(writer)  # what the reader's activate_write makes the socket do
    # each fill hands off once, then again after each HANDOFF_SKIPS messages skipped:
    # the regained room allowed the second round its hand-offs again
    assert len(hand_offs) == 2 * (1 + 2)


def test_a_full_pipe_skips_whole_messages_and_others_still_get_them(
        hand_offs: list[int]) -> None:
    d = Dist()
    full_writer, full = outbound(d)
    live_writer, live = outbound(d)
    got_live: list[bytes] = []
    for i in range(3 * HWM):
        publish(d, [full_writer, live_writer], b"head%d" % i, b"tail%d" % i)
        got_live += drain(live)  # this reader keeps up
        d.activated(live_writer)
    whole = [x for i in range(3 * HWM) for x in (b"head%d" % i, b"tail%d" % i)]
    assert got_live == whole
    got_full = drain(full)  # the messages that fitted, each whole, in order
    assert got_full and got_full == whole[:len(got_full)] and len(got_full) % 2 == 0


def test_match_all_selects_what_matching_each_pipe_selects(hand_offs: list[int]) -> None:
    one, two = Dist(), Dist()
    pipes = {id(d): [outbound(d) for _ in range(3)] for d in (one, two)}
    delivered: dict[int, list[list[bytes]]] = {id(d): [[], [], []] for d in (one, two)}
    for i in range(3 * dist_module.HANDOFF_SKIPS):
        publish(one, [w for w, _ in pipes[id(one)]], b"%d" % i)
        two.match_all()
        two.send_to_matching(Msg(b"%d" % i))
        for d in (one, two):  # the first pipe's reader never reads; the others keep up
            for k in (1, 2):
                delivered[id(d)][k] += drain(pipes[id(d)][k][1])
    for d in (one, two):
        delivered[id(d)][0] = drain(pipes[id(d)][0][1])
    assert delivered[id(one)] == delivered[id(two)]
    assert delivered[id(two)][0] == [b"%d" % i for i in range(HWM)]
    assert delivered[id(two)][1] == [b"%d" % i for i in range(3 * dist_module.HANDOFF_SKIPS)]
    # the full pipe counted as skipped the same way: the same hand-offs, one at the fill
    # and one per HANDOFF_SKIPS messages skipped after it
    assert one.skipped == two.skipped
    assert len(hand_offs) == 2 * 3


def test_covered_by_means_every_pipe_of_the_dist_is_in_the_collection() -> None:
    d = Dist()
    a, b = outbound(d)[0], outbound(d)[0]
    assert d.covered_by({a, b}) and d.covered_by(frozenset({a, b}))
    assert not d.covered_by({a}) and not d.covered_by(set())
    assert not d.covered_by({a, "a pipe of another socket"})
    before = d.changes
    c = outbound(d)[0]
    assert d.changes != before and not d.covered_by({a, b})
    d.terminated(c)
    assert d.covered_by({a, b})


def test_pipes_filling_on_the_same_message_hand_off_once(hand_offs: list[int]) -> None:
    d = Dist()
    pipes = [outbound(d) for _ in range(5)]
    for i in range(HWM + 1):  # all five fill on message HWM (the eleventh)
        publish(d, [w for w, _ in pipes], b"%d" % i)
    assert len(hand_offs) == 1
    assert all(len(drain(r)) == HWM for _, r in pipes)


def test_one_msg_for_the_pipes_sessions_read_and_a_copy_for_each_socket() -> None:
    """A session only reads what is queued for it, so every session pipe is given the
    same Msg; an inproc socket's user may change its frame (resend it with SNDMORE,
    export a writable buffer), so each of those gets its own, sharing the payload."""
    d = Dist()
    sessions = [outbound(d) for _ in range(3)]
    sockets = [outbound(d) for _ in range(2)]
    for writer, _ in sessions:
        writer.frames_read_only = True
    publish(d, [w for w, _ in sessions + sockets], b"head", b"tail")
    got = [[reader.read() for _ in range(2)] for _, reader in sessions + sockets]
    for j in range(2):
        objs = [frames[j] for frames in got]
        assert len({id(m) for m in objs[:3]}) == 1  # the sessions': one object
        assert len({id(m) for m in objs}) == 3  # each socket's: its own
        assert all(m.data is objs[0].data for m in objs)  # the payload is never copied
    got[3][0].flags = 0  # a socket's user changes its frame: nobody else sees it
    assert [m.flags for m in got[4]] == [MORE, 0] and [m.flags for m in got[0]] == [MORE, 0]
